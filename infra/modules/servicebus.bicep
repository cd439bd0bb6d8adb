// Service Bus namespace and the topic the service publishes certificate lifecycle events to (CloudEvents).
// SAS keys are off (disableLocalAuth): the app sends with its managed identity (Azure Service Bus Data Sender
// on the topic only). Consumers add their own subscriptions.

@description('Region of the namespace.')
param location string

@description('Name of the namespace (6 to 50 characters, globally unique).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Name of the lifecycle events topic.')
param topicName string

@description('Tags for every resource.')
param tags resourceTags

import { resourceTags } from 'types.bicep'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // The publisher sets the message id from the event id, so a re-sent event (outbox retry) is dropped here.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    // One broker keeps the order of events; a partitioned topic would only order per partition key, and
    // partitioning cannot be changed once the topic exists. Standard's throughput is far above our event rate.
    supportOrdering: true
    enablePartitioning: false
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    enableBatchedOperations: true
  }
}

@description('Fully qualified namespace, e.g. NAME.servicebus.windows.net (the host of serviceBusEndpoint https://NAME.servicebus.windows.net:443/).')
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Name of the lifecycle events topic.')
output topicName string = topic.name
