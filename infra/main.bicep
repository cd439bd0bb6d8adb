// Placeholder until the Azure deployment issue lands: the Function App, Storage, Key Vault Premium,
// Service Bus, Application Insights and least-privilege role assignments are described there.
// It deploys nothing yet; it records the names the service will use.
targetScope = 'resourceGroup'

@description('Short name that prefixes every resource.')
@minLength(3)
@maxLength(12)
param baseName string = 'pki'

@description('Region for all resources.')
param location string = resourceGroup().location

output functionAppName string = '${baseName}-func'
output location string = location
