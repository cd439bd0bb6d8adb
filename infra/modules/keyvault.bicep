// Key Vault Premium holding the CA keys in its HSMs. The keys are created here, by the deployment, so that the
// Function App needs only Key Vault Crypto User (get, sign) on them and never the right to create, import,
// export or delete a key. Creating a key through Resource Manager is a management-plane write (Contributor on
// the vault is enough for the deployer) and creates a key only if none of that name exists: a redeployment
// never rotates a CA key.

@description('Region of the vault.')
param location string

@description('Name of the vault (3 to 24 letters, digits and hyphens, globally unique).')
@maxLength(24)
param vaultName string

@description('The CA keys to create.')
param keys caKey[]

@description('Days a deleted vault or key can be recovered (purge protection keeps them that long).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Tags for every resource.')
param tags resourceTags

import { caKey, resourceTags } from 'types.bicep'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'premium'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Flex Consumption without virtual network integration calls the vault over its public endpoint.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource caKeys 'Microsoft.KeyVault/vaults/keys@2026-05-15' = [
  for key in keys: {
    parent: vault
    name: key.name
    tags: tags
    properties: {
      kty: 'EC-HSM'
      curveName: key.curve
      keyOps: [
        'sign'
        'verify'
      ]
      attributes: {
        enabled: true
        exportable: false
      }
    }
  }
]

@description('Name of the vault.')
output vaultName string = vault.name

@description('URI of the vault, e.g. https://NAME.vault.azure.net/.')
output vaultUri string = vault.properties.vaultUri

@description('Names of the keys created, in the order given.')
output keyNames string[] = [for (key, i) in keys: caKeys[i].name]
