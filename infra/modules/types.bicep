// Types shared by main.bicep and its modules.

@export()
@description('Tags put on every resource.')
type resourceTags = {
  *: string
}

@export()
@description('A CA key the deployment creates in Key Vault: HSM-backed, sign/verify only, not exportable.')
type caKey = {
  @description('Key name in the vault: the label the app asks for (Pki:Ca:RootId, Pki:Ca:IssuingId, or "{IssuingId}-ocsp" for the OCSP responder key).')
  @minLength(1)
  @maxLength(127)
  name: string

  @description('Elliptic curve of the EC-HSM key.')
  curve: 'P-256' | 'P-384'
}

@export()
@description('App settings: name to value.')
type appSettings = {
  *: string
}

@export()
@description('Entra group object id to team name.')
type groupTeams = {
  *: string
}

@export()
@description('A team\'s Key Vault that certificates are delivered to (Key Vault enrollment and renewal): the app gets Key Vault Certificates Officer on it.')
type deliveryVault = {
  @description('The vault\'s name (https://NAME.vault.azure.net/).')
  @minLength(3)
  @maxLength(24)
  name: string

  @description('Its resource group; the deployment\'s own when left out.')
  resourceGroup: string?

  @description('Its subscription; the deployment\'s own when left out.')
  subscriptionId: string?

  @description('The team (lower case) whose certificates alone are delivered there; left out, every team may use it.')
  team: string?
}
