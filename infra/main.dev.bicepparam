// A development environment: one region, locally redundant storage, few instances, short log retention.
// Deploy: az deployment group create -g RESOURCE_GROUP -f infra/main.bicep -p infra/main.dev.bicepparam
using 'main.bicep'

param baseName = 'pkidev'
param alertEmail = 'pki-dev-alerts@example.com'
param storageSku = 'Standard_LRS'
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param logRetentionInDays = 30
param keyVaultSoftDeleteDays = 7
param tags = {
  service: 'serverless-pki'
  environment: 'dev'
}
