// Least-privilege role assignments for the Function App's system-assigned identity. Each is scoped to the one
// resource it is needed on and named guid(scope, app, role): from the app's resource id rather than its
// principal id, because a name must be known before deployment (and What-If can then predict it). So a
// redeployment finds each assignment again; if the app is ever deleted and recreated (a new identity), delete
// its old assignments first (the portal shows them as "Identity not found"), or they block the new ones.

@description('Name of the Function App whose system-assigned identity gets the roles.')
param appName string

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the Key Vault.')
param vaultName string

@description('Names of the CA keys the app signs with.')
param keyNames string[]

@description('Names of Key Vault secrets the app reads as Key Vault references (SMTP password, Teams webhook URL); they must exist.')
param secretNames string[] = []

@description('Name of the Service Bus namespace.')
param serviceBusNamespaceName string

@description('Name of the lifecycle events topic.')
param topicName string

@description('Name of the Application Insights component.')
param appInsightsName string

// Built-in role definitions (ids are the same in every tenant).
// Storage Blob Data Owner: the Functions host's own storage (AzureWebJobsStorage) needs Owner (it creates
// containers and takes blob leases for timer singletons); it also covers the Flex deployment container (read)
// and the app's CRL container. Blob Data Contributor would not be enough for the host.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Queue Data Contributor: the queue trigger reads and deletes messages and moves poison messages
// (creating the -poison queue); the app sends sweep batches.
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Table Data Contributor: every record of the service lives in tables (and the host's diagnostic events).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Key Vault Crypto User: keys/read (public key, version), sign, verify. No create, import, delete, purge or
// key export: the deployment creates the keys. Assigned per key, not on the vault.
var keyVaultCryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'
// Key Vault Secrets User: read the named notification secrets only, assigned per secret (not on the vault).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
// Azure Service Bus Data Sender: send to the lifecycle topic only (no receive, no management).
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
// Monitoring Metrics Publisher: telemetry ingestion with Entra ID, since the component refuses local auth.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: appName
}

// Read here rather than passed in, so that every parameter of this module is known before deployment.
var principalId = app.identity.principalId
var appId = app.id

var storageRoles = [
  storageBlobDataOwner
  storageQueueDataContributor
  storageTableDataContributor
]

resource storageAccount 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

resource caKeys 'Microsoft.KeyVault/vaults/keys@2026-05-15' existing = [
  for keyName in keyNames: {
    parent: vault
    name: keyName
  }
]

resource secrets 'Microsoft.KeyVault/vaults/secrets@2026-05-15' existing = [
  for secretName in secretNames: {
    parent: vault
    name: secretName
  }
]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' existing = {
  parent: serviceBus
  name: topicName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storageAccount.id, appId, roleId)
    scope: storageAccount
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource keyAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (keyName, i) in keyNames: {
    name: guid(caKeys[i].id, appId, keyVaultCryptoUser)
    scope: caKeys[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoUser)
    }
  }
]

resource secretAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (secretName, i) in secretNames: {
    name: guid(secrets[i].id, appId, keyVaultSecretsUser)
    scope: secrets[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    }
  }
]

resource topicAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appId, serviceBusDataSender)
  scope: topic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
  }
}

resource telemetryAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}
