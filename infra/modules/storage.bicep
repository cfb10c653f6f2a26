// One StorageV2 account for the Functions host (AzureWebJobsStorage, deployment package) and FeedIngest's
// data (blobs, queues, tables). The security settings below are not parameters on purpose: shared keys,
// anonymous blob access, plain HTTP and TLS < 1.2 are never wanted here.

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags object = {}

@description('Replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param skuName string = 'Standard_LRS'

// Parameter shapes follow the AVM storage-account module (blobServices/queueServices/tableServices), so the
// module can be swapped for br/public:avm/res/storage/storage-account where a registry is reachable.
@description('Blob service settings and the containers to create.')
param blobServices blobServicesType

@description('Queues to create. The Functions host adds the -poison twins itself when a message first fails too often.')
param queueServices queueServicesType

@description('Tables to create.')
param tableServices tableServicesType

@description('Days an overwritten blob version is kept before the lifecycle policy deletes it.')
@minValue(1)
param previousVersionRetentionDays int = 30

type containerType = {
  @description('Container name.')
  name: string
}

type blobServicesType = {
  @description('Containers to create; none allows anonymous access.')
  containers: containerType[]

  @description('Keep every earlier version of an overwritten blob.')
  isVersioningEnabled: bool

  @description('Days a deleted blob can be restored (soft delete is always on).')
  @minValue(1)
  @maxValue(365)
  deleteRetentionPolicyDays: int

  @description('Days a deleted container can be restored (soft delete is always on).')
  @minValue(1)
  @maxValue(365)
  containerDeleteRetentionPolicyDays: int
}

type queueServicesType = {
  @description('Queues to create.')
  queues: {
    @description('Queue name.')
    name: string
  }[]
}

type tableServicesType = {
  @description('Tables to create.')
  tables: {
    @description('Table name.')
    name: string
  }[]
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // every client, the host included, authenticates with Entra ID
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Versioning keeps every earlier copy of an article blob that a re-extraction overwrites; soft delete covers
// accidental deletes. The lifecycle rule below bounds what the old versions cost.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storageAccount
  name: 'default'
  properties: {
    isVersioningEnabled: blobServices.isVersioningEnabled
    deleteRetentionPolicy: {
      enabled: true
      days: blobServices.deleteRetentionPolicyDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobServices.containerDeleteRetentionPolicyDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in blobServices.containers: {
    parent: blobService
    name: container.name
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storageAccount
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in queueServices.queues: {
    parent: queueService
    name: queue.name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storageAccount
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tableServices.tables: {
    parent: tableService
    name: table.name
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (blobServices.isVersioningEnabled) {
  parent: storageAccount
  name: 'default'
  // A version rule is rejected while versioning is still off.
  dependsOn: [
    blobService
  ]
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: previousVersionRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

output name string = storageAccount.name
output resourceId string = storageAccount.id
output primaryBlobEndpoint string = storageAccount.properties.primaryEndpoints.blob
output primaryQueueEndpoint string = storageAccount.properties.primaryEndpoints.queue
output primaryTableEndpoint string = storageAccount.properties.primaryEndpoints.table
