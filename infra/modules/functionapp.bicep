// The Function App on Flex Consumption (Linux), .NET isolated worker, system-assigned identity.
// Created with the settings the Functions host needs to start; the service's own settings (which name this
// app's host name) are written afterwards by appsettings.bicep, once the identity holds its roles.

@description('Region of the plan and the app.')
param location string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App (globally unique host name prefix).')
param appName string

@description('URL of the blob container the app package is deployed to.')
param deploymentContainerUrl string

@description('App settings the host needs at start (identity-based host storage, Application Insights).')
param hostSettings appSettings

@description('.NET version of the isolated worker; the projects build net10.0.')
param dotnetVersion string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Tags for every resource.')
param tags resourceTags

import { appSettings, resourceTags } from 'types.bicep'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(hostSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// No FTP and no basic-auth (user name and password) publishing: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output appName string = app.name

@description('Default host name of the app, e.g. NAME.azurewebsites.net.')
output defaultHostName string = app.properties.defaultHostName

@description('Object id of the app\'s system-assigned identity (the principal of every role assignment).')
output principalId string = app.identity.principalId
