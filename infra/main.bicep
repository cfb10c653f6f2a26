// FeedIngest on Azure: Flex Consumption function app + storage + monitoring, deployed into an existing
// resource group (azd resource-group scope; see docs/DEPLOY.md for why).
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags are derived from it.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string = resourceGroup().location

@description('Object id of the deployer (user or CI principal) to grant the same data roles as the app; empty grants nothing.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('.NET worker runtime version: major.minor matching the Functions project TargetFramework (net10.0).')
@allowed([
  '8.0'
  '9.0'
  '10.0'
])
param functionsRuntimeVersion string = '10.0'

@description('Memory per Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on Flex Consumption scale-out.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('NCRONTAB schedule (with seconds) of the harvest timer.')
param harvestSchedule string = '0 */30 * * * *'

@description('Path of the sources registry, relative to the deployed app; sources.json ships with the app.')
param sourcesPath string = 'sources.json'

@description('Re-check stored articles published within this many days with a conditional GET; 0 never re-checks.')
@minValue(0)
param recrawlDays int = 0

@description('A stored article is re-checked at most this often (hours) inside the re-crawl window.')
@minValue(0)
param recrawlIntervalHours int = 6

@description('Largest response body a fetch accepts, in bytes.')
@minValue(1)
param maxResponseBytes int = 10485760

@description('Timeout of one HTTP attempt, in seconds.')
@minValue(1)
param attemptTimeoutSeconds int = 20

@description('Timeout of a fetch with all its retries, in seconds.')
@minValue(1)
param totalTimeoutSeconds int = 90

@description('Private networks (CIDRs, comma-separated) fetches may connect to; empty = public addresses only (the SSRF guard).')
param allowedPrivateNetworks string = ''

@description('Redirects a fetch follows.')
@minValue(0)
param maxRedirects int = 5

@description('Most article ids one reprocess request may name.')
@minValue(1)
param reprocessMaxArticleIds int = 500

@description('Widest date range one reprocess request may cover, in days.')
@minValue(1)
param reprocessMaxRangeDays int = 366

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Daily Log Analytics ingestion cap in GB; -1 means no cap.')
param logDailyQuotaGb int = -1

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(resourceGroup().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'feedingest'
}

var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// Names FeedIngest reads and writes (DESIGN.md contracts); queues get their -poison twins from the host.
var blobContainers = [
  { name: 'articles' }
  { name: 'raw' }
  { name: 'attachments' }
  { name: deploymentStorageContainerName }
]
var queues = [
  { name: 'discover' }
  { name: 'articles' }
  { name: 'article-events' }
  { name: 'reprocess' }
]
var tables = [
  { name: 'Articles' }
  { name: 'Runs' }
  { name: 'Urls' }
  { name: 'ContentIndex' }
  { name: 'Boilerplate' }
  { name: 'HostThrottle' }
  { name: 'FetchState' }
  { name: 'ReprocessJobs' }
  { name: 'ArticleIndex' }
  { name: 'HealthObservations' }
  { name: 'SourceHealth' }
  { name: 'Attachments' }
  { name: 'SyndicationBands' }
  { name: 'SyndicationSignatures' }
  { name: 'SyndicationClusters' }
]

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    // Versioning + soft delete protect the article blobs against overwrites and deletes.
    blobServices: {
      containers: blobContainers
      isVersioningEnabled: true
      deleteRetentionPolicyDays: 7
      containerDeleteRetentionPolicyDays: 7
    }
    queueServices: {
      queues: queues
    }
    tableServices: {
      tables: tables
    }
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    dataRetention: logRetentionDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.applicationInsightsName
    managedIdentityPrincipalId: identity.outputs.principalId
    userIdentityPrincipalId: principalId
    userIdentityPrincipalType: principalType
  }
}

// Every app setting the app reads, under the names local.settings.sample.json uses. The two storage
// connections are identity-based: <Connection>__<service>ServiceUri + __credential + __clientId, never a key.
// tests/FeedIngest.Infra.Tests compares this list with local.settings.sample.json.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: functionAppName
    appServicePlanName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    userAssignedIdentityResourceId: identity.outputs.resourceId
    deploymentStorageBlobEndpoint: storage.outputs.primaryBlobEndpoint
    deploymentStorageContainerName: deploymentStorageContainerName
    runtimeName: 'dotnet-isolated'
    runtimeVersion: functionsRuntimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettingsKeyValuePairs: {
      AzureWebJobsStorage__blobServiceUri: storage.outputs.primaryBlobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.primaryQueueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.primaryTableEndpoint
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      FeedIngestStorage__blobServiceUri: storage.outputs.primaryBlobEndpoint
      FeedIngestStorage__queueServiceUri: storage.outputs.primaryQueueEndpoint
      FeedIngestStorage__tableServiceUri: storage.outputs.primaryTableEndpoint
      FeedIngestStorage__credential: 'managedidentity'
      FeedIngestStorage__clientId: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      HarvestSchedule: harvestSchedule
      FeedIngest__SourcesPath: sourcesPath
      FeedIngest__RecrawlDays: string(recrawlDays)
      FeedIngest__RecrawlIntervalHours: string(recrawlIntervalHours)
      FeedIngest__Fetching__MaxResponseBytes: string(maxResponseBytes)
      FeedIngest__Fetching__AttemptTimeoutSeconds: string(attemptTimeoutSeconds)
      FeedIngest__Fetching__TotalTimeoutSeconds: string(totalTimeoutSeconds)
      FeedIngest__Fetching__MaxRedirects: string(maxRedirects)
      FeedIngest__Fetching__AllowedPrivateNetworks: allowedPrivateNetworks
      FeedIngest__Reprocess__MaxArticleIds: string(reprocessMaxArticleIds)
      FeedIngest__Reprocess__MaxRangeDays: string(reprocessMaxRangeDays)
    }
  }
  // The host reaches storage as soon as the app exists; grant the roles first.
  dependsOn: [
    rbac
  ]
}

// azd reads these into the environment (.azure/<env>/.env).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output SERVICE_API_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.primaryBlobEndpoint
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
