// The whole service in one resource group: a Function App on Flex Consumption (.NET 10 isolated worker) with a
// system-assigned identity; one storage account reached only with Entra ID (tables, queues, CRL blobs, host
// storage, deployment package); Key Vault Premium holding the CA keys in its HSMs; a Service Bus topic for
// lifecycle events; Application Insights on Log Analytics; least-privilege role assignments; an action group
// and alert rules. See README.md beside this file for the deploy commands and what each role is for.
targetScope = 'resourceGroup'

import { caKey, deliveryVault, groupTeams, resourceTags } from 'modules/types.bicep'

@description('Short name that prefixes every resource: 3 to 12 lowercase letters and digits.')
@minLength(3)
@maxLength(12)
param baseName string = 'pki'

@description('Region for all resources.')
param location string = resourceGroup().location

@description('Who receives the alerts (an email address or distribution list).')
param alertEmail string

@description('Base URL relying parties reach the service at (CRL and AIA URLs in certificates are built from it, for the CA\'s lifetime). Empty: https:// and the app\'s default host name.')
param publicBaseUrl string = ''

@description('Pki:Ca:RootId: the root CA and the name of its key in the vault.')
param rootCaId string = 'root-ca'

@description('Pki:Ca:IssuingId: the issuing CA and the name of its key; its OCSP responder key is "{issuingCaId}-ocsp".')
param issuingCaId string = 'issuing-ca-1'

@description('.NET version of the isolated worker on Flex Consumption.')
param dotnetVersion string = '10.0'

@description('Most instances the Function App scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Redundancy of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days a deleted vault or key stays recoverable (purge protection holds it that long).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteDays int = 90

@description('Failed function executions in 5 minutes above which the failure alert fires.')
@minValue(0)
param failedExecutionsThreshold int = 0

@description('Start of the warning the renewal work logs for a certificate that expires without a successor (see infra/README.md).')
param expiringWithoutRenewalMessage string = 'Certificate expiring without renewal'

@description('Directory (tenant) whose Entra ID access tokens the API accepts; the deployment\'s tenant by default.')
param entraTenantId string = tenant().tenantId

@description('Accepted token audiences: the API app registration\'s application id URI and/or client id. Empty turns Entra ID sign-in off (then only keys configured in app settings can call the API).')
param entraAudiences string[] = []

@description('Entra group object id to team name; a caller\'s team is the first of its groups found here.')
param entraGroupTeams groupTeams = {}

@description('SMTP relay for expiry notices (smtp.azurecomm.net for Azure Communication Services, or any mail server); empty sends no email.')
param smtpHost string = ''

@description('Sender of notice mails, such as "PKI <pki@example.com>"; required with smtpHost.')
param smtpFrom string = ''

@description('SMTP user name, if the relay needs one.')
param smtpUserName string = ''

@description('Name of a secret in the deployment\'s Key Vault holding the SMTP password (create it first); the app reads it as a Key Vault reference.')
param smtpPasswordSecretName string = ''

@description('Name of a secret in the deployment\'s Key Vault holding the Teams Workflows webhook URL (create it first); empty sends no Teams notices.')
param teamsWebhookSecretName string = ''

@description('Where escalations to admins go: comma-separated mail addresses.')
param notificationAdminAddresses string = ''

@description('Team vaults certificates are delivered to (Key Vault enrollment and renewal). The app gets Key Vault Certificates Officer on exactly these and may deliver nowhere else (Pki:Delivery:KeyVaults).')
param deliveryVaults deliveryVault[] = []

@description('Tags for every resource.')
param tags resourceTags = {
  service: 'serverless-pki'
}

// Globally unique names: the base name plus a suffix that is stable for this resource group.
var suffix = uniqueString(resourceGroup().id)
var storageAccountName = take(toLower(replace('${baseName}st${suffix}', '-', '')), 24)
var vaultName = take('${baseName}-kv-${suffix}', 24)
var serviceBusName = '${baseName}-sb-${suffix}'
var appName = '${baseName}-func-${suffix}'
var workspaceName = '${baseName}-logs-${suffix}'
var appInsightsName = '${baseName}-appi-${suffix}'
var deploymentContainerName = 'app-package'
var lifecycleTopicName = 'lifecycle-events'

// The keys the app signs with, created by this deployment (the app cannot create keys; see keyvault.bicep).
// Curves match Pki:Ca:RootKeyAlgorithm and :IssuingKeyAlgorithm set below; the OCSP responder key is the
// one core/Revocation/Ocsp/OcspResponders.cs asks for ("{IssuingId}-ocsp", P-256).
var caKeys caKey[] = [
  {
    name: rootCaId
    curve: 'P-384'
  }
  {
    name: issuingCaId
    curve: 'P-256'
  }
  {
    name: '${issuingCaId}-ocsp'
    curve: 'P-256'
  }
]

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: workspaceName
    appInsightsName: appInsightsName
    retentionInDays: logRetentionInDays
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    accountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    skuName: storageSku
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    vaultName: vaultName
    keys: caKeys
    softDeleteRetentionInDays: keyVaultSoftDeleteDays
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    namespaceName: serviceBusName
    topicName: lifecycleTopicName
    tags: tags
  }
}

// What the Functions host needs to start: host storage through the identity (no connection string exists, as
// shared keys are off) and telemetry with Entra authentication. FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION are not app settings on Flex Consumption (functionAppConfig.runtime says it).
var hostSettings = {
  AzureWebJobsStorage__accountName: storage.outputs.accountName
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    planName: '${baseName}-plan-${suffix}'
    appName: appName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    hostSettings: hostSettings
    dotnetVersion: dotnetVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    appName: appName
    storageAccountName: storageAccountName
    vaultName: vaultName
    keyNames: map(caKeys, key => key.name)
    serviceBusNamespaceName: serviceBusName
    topicName: lifecycleTopicName
    appInsightsName: appInsightsName
    secretNames: secretNames
  }
  dependsOn: [
    functionApp
    storage
    keyVault
    serviceBus
    monitoring
  ]
}

// Key Vault Certificates Officer on each delivery vault, at the vault's own resource group (a team's vault may live
// in its own resource group or subscription), and nowhere else.
module deliveryVaultRoles 'modules/deliveryvaultrole.bicep' = [
  for vault in deliveryVaults: {
    name: 'delivery-${vault.name}'
    scope: resourceGroup(vault.?subscriptionId ?? subscription().subscriptionId, vault.?resourceGroup ?? resourceGroup().name)
    params: {
      vaultName: vault.name
      appId: resourceId('Microsoft.Web/sites', appName)
      principalId: functionApp.outputs.principalId
    }
  }
]

// The vaults the app may deliver to: a team's own under Pki:Delivery:TeamVaults:{team}, the others under
// Pki:Delivery:KeyVaults (list indexes may have gaps; the configuration binder takes the entries in order).
var deliverySettings = toObject(
  range(0, length(deliveryVaults)),
  i => empty(deliveryVaults[i].?team ?? '') ? 'Pki__Delivery__KeyVaults__${i}' : 'Pki__Delivery__TeamVaults__${deliveryVaults[i].team!}__${i}',
  i => 'https://${deliveryVaults[i].name}${environment().suffixes.keyvaultDns}/'
)

// The service's own settings (bound to PkiOptions from the environment, Pki__Section__Key). Every endpoint is
// reached with the app's identity: no connection string, key or PIN is stored anywhere.
var serviceSettings = {
  // The queue triggers' connection (Connection = "PkiStorage"), identity-based: the service URI, no secret.
  PkiStorage__queueServiceUri: storage.outputs.queueEndpoint
  PkiStorage__credential: 'managedidentity'
  Pki__PublicBaseUrl: empty(publicBaseUrl) ? 'https://${functionApp.outputs.defaultHostName}' : publicBaseUrl
  Pki__Signing__Provider: 'keyvault'
  Pki__Signing__KeyVault__VaultUri: keyVault.outputs.vaultUri
  Pki__Ca__RootId: rootCaId
  Pki__Ca__RootKeyAlgorithm: 'EcP384'
  Pki__Ca__IssuingId: issuingCaId
  Pki__Ca__IssuingKeyAlgorithm: 'EcP256'
  // Identity-based storage endpoints (the app takes Pki:Storage:ConnectionString today; see infra/README.md).
  Pki__Storage__TableServiceUri: storage.outputs.tableEndpoint
  Pki__Storage__QueueServiceUri: storage.outputs.queueEndpoint
  Pki__Storage__BlobServiceUri: storage.outputs.blobEndpoint
  Pki__Events__ServiceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
  Pki__Events__Topic: serviceBus.outputs.topicName
}

// Who may call: Entra ID tokens for the configured audiences (roles from app roles, teams from groups).
var entraSettings = empty(entraAudiences)
  ? {}
  : union(
      { Pki__Access__Entra__TenantId: entraTenantId },
      toObject(range(0, length(entraAudiences)), i => 'Pki__Access__Entra__Audiences__${i}', i => entraAudiences[i]),
      toObject(items(entraGroupTeams), g => 'Pki__Access__Entra__GroupTeams__${g.key}', g => g.value)
    )

// Notices: secrets stay in the vault and reach the app as Key Vault references, read with its identity.
var secretNames = filter([smtpPasswordSecretName, teamsWebhookSecretName], name => !empty(name))
var notificationSettings = union(
  empty(smtpHost)
    ? {}
    : {
        Pki__Notifications__Smtp__Host: smtpHost
        Pki__Notifications__Smtp__From: smtpFrom
        Pki__Notifications__Smtp__UserName: smtpUserName
      },
  empty(smtpPasswordSecretName)
    ? {}
    : {
        Pki__Notifications__Smtp__Password: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${smtpPasswordSecretName})'
      },
  empty(teamsWebhookSecretName)
    ? {}
    : {
        Pki__Notifications__Teams__WebhookUrl: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${teamsWebhookSecretName})'
      },
  empty(notificationAdminAddresses) ? {} : { Pki__Notifications__AdminAddresses: notificationAdminAddresses }
)

// Written after the roles, so that the app reads its settings once its identity may use what they name.
module appSettings 'modules/appsettings.bicep' = {
  name: 'appsettings'
  params: {
    appName: appName
    settings: union(hostSettings, serviceSettings, entraSettings, notificationSettings, deliverySettings)
  }
  dependsOn: [
    roles
    deliveryVaultRoles
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    baseName: baseName
    location: location
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmail: alertEmail
    failedExecutionsThreshold: failedExecutionsThreshold
    expiringWithoutRenewalMessage: expiringWithoutRenewalMessage
    tags: tags
  }
}

@description('Name of the Function App (for az functionapp deploy).')
output functionAppName string = functionApp.outputs.appName

@description('Default host name of the Function App.')
output defaultHostName string = functionApp.outputs.defaultHostName

@description('URI of the Key Vault holding the CA keys.')
output vaultUri string = keyVault.outputs.vaultUri

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.accountName
