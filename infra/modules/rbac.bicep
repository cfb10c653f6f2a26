// Every role assignment in one place. The app's identity gets the data-plane roles it needs on the storage
// account and may publish telemetry to Application Insights; nothing else. The deployer (principalId) can
// optionally get the same roles, for debugging and for reading articles with DefaultAzureCredential.
// Names are guid(scope id, principal id, role id), so re-deploying updates rather than duplicates.

@description('Name of the storage account the roles are scoped to.')
param storageAccountName string

@description('Name of the Application Insights component the metrics role is scoped to.')
param appInsightsName string

@description('Principal (object) id of the function app identity.')
param managedIdentityPrincipalId string

@description('Object id of a user or service principal to grant the same roles; empty grants nothing.')
param userIdentityPrincipalId string = ''

@description('Principal type of userIdentityPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userIdentityPrincipalType string = 'User'

// Built-in role definition ids (the same in every tenant).
var roleDefinitions = {
  // The Functions host on Flex needs Owner (not Contributor) for AzureWebJobsStorage blob leases and the
  // deployment container; Contributor would be enough for FeedIngest's own blobs.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var storageRoleIds = [
  roleDefinitions.storageBlobDataOwner
  roleDefinitions.storageQueueDataContributor
  roleDefinitions.storageTableDataContributor
]

var grantUser = !empty(userIdentityPrincipalId)

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleIds: {
    name: guid(storageAccount.id, managedIdentityPrincipalId, roleId)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: managedIdentityPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource monitoringRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, managedIdentityPrincipalId, roleDefinitions.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleDefinitions.monitoringMetricsPublisher
    )
    principalId: managedIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource storageRoleAssignments_User 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleIds: if (grantUser) {
    name: guid(storageAccount.id, userIdentityPrincipalId, roleId)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: userIdentityPrincipalId
      principalType: userIdentityPrincipalType
    }
  }
]

resource monitoringRoleAssignment_User 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  name: guid(applicationInsights.id, userIdentityPrincipalId, roleDefinitions.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleDefinitions.monitoringMetricsPublisher
    )
    principalId: userIdentityPrincipalId
    principalType: userIdentityPrincipalType
  }
}
