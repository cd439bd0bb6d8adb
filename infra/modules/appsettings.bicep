// The Function App's complete app settings: what the host needs (also set at creation) plus the service's
// own Pki__... settings. A sites/config 'appsettings' resource replaces the whole set, so both are written.

@description('Name of the existing Function App.')
param appName string

@description('The complete set of app settings.')
param settings appSettings

import { appSettings } from 'types.bicep'

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: appName
}

resource settingsConfig 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: settings
}
