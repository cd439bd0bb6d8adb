// An action group that mails the operators, and the alert rules that page it. All rules read the Application
// Insights component the Function App reports to; what each relies on is written beside it (and in README.md).

@description('Name prefix of the alert rules and the action group.')
param baseName string

@description('Region for the log-search alert rules (metric alerts and action groups are global).')
param location string

@description('Resource id of the Application Insights component.')
param appInsightsId string

@description('Who receives the alerts (an email address or distribution list).')
param alertEmail string

@description('Failed function executions in 5 minutes above which the failure alert fires.')
@minValue(0)
param failedExecutionsThreshold int

@description('Start of the warning the service logs for a certificate that expires without a successor (ExpiryNoticePlanner.ExpiringWithoutRenewal).')
param expiringWithoutRenewalMessage string

@description('Tags for every resource.')
param tags resourceTags

import { resourceTags } from 'types.bicep'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${baseName}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('${baseName}ops', 12)
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Every function execution (HTTP, timer, queue) is a request in Application Insights; one that throws is a
// failed request. host.json keeps requests out of sampling, so the count is exact.
resource functionFailures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${baseName}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function executions failed (an exception escaped a function: HTTP 500, a failed timer run, a queue message retried).'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failed-executions'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: failedExecutionsThreshold
          timeAggregation: 'Count'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Storage's queue metrics (QueueMessageCount) are per account, not per queue, so they cannot tell a poison queue
// from a busy one. The Functions host logs a warning each time it moves a message to a poison queue:
// "Message has reached MaxDequeueCount of 5. Moving message to queue 'discovery-batches-poison'." Every such
// line is a message that now sits in a poison queue until an operator looks at it.
resource poisonMessages 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-poison-messages'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${baseName}: messages moved to a poison queue'
    description: 'A queue message failed every try and was moved to a -poison queue. Inspect it (az storage message peek --auth-mode login -q QUEUE-poison), fix the cause, and re-queue or delete it.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: 'traces | where message has "Moving message to queue" and message has "-poison\'" | extend queue = extract(@"queue \'([^\']+)\'", 1, message) | summarize AggregatedValue = count() by queue'
          timeAggregation: 'Total'
          metricMeasureColumn: 'AggregatedValue'
          dimensions: [
            {
              name: 'queue'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The expiry-notice pass (PlanNotices) logs, once per certificate and threshold, a warning whose message starts with
// expiringWithoutRenewalMessage when a certificate crosses a notice threshold with no successor, not revoked and
// still deployed (ExpiryNoticePlanner.ExpiringWithoutRenewal in core/ holds the same text).
resource expiringWithoutRenewal 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-expiring-without-renewal'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${baseName}: certificates expiring without renewal'
    description: 'A certificate is close to expiry and has no successor: renewal failed or is not possible (a discovered certificate, or policy wants a new key). Find it with GET /api/inventory?expiringWithinDays=7.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: 'traces | where severityLevel >= 2 and message startswith "${expiringWithoutRenewalMessage}" | summarize AggregatedValue = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'AggregatedValue'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
