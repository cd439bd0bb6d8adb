// Key Vault Certificates Officer for the Function App's identity on one team vault that certificates are delivered
// to (Pki:Delivery:KeyVaults): create a certificate version with the issuer Unknown (the vault makes the key and the
// CSR), read the pending operation, merge the signed certificate, delete a pending operation it cancels. Scoped to
// that vault only; the role has no access to the vault's keys or secrets as such, and no permission management.
// Deployed at the vault's resource group, which may be another than the app's.

@description('Name of the team vault, in this module\'s resource group.')
param vaultName string

@description('Resource id of the Function App (names the assignment, so it is known before deployment).')
param appId string

@description('Principal id of the Function App\'s system-assigned identity.')
param principalId string

// Key Vault Certificates Officer (built-in; the id is the same in every tenant).
var keyVaultCertificatesOfficer = 'a4417e6f-fecd-4de8-b567-7b0420556985'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appId, keyVaultCertificatesOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCertificatesOfficer)
  }
}
