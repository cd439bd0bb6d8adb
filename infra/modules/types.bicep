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
