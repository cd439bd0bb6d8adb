using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Events;

namespace Pki.Functions;

/// <summary>Lifecycle events: the timer that sends the outbox's events to their publishers.</summary>
public sealed class Events(EventDispatcher dispatcher, ILogger<Events> logger)
{
    [Function(nameof(DispatchEvents))]
    public async Task DispatchEvents([TimerTrigger(Schedules.EventDispatch)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var outcome = await dispatcher.DispatchAsync(cancellationToken);
        if (outcome.Published > 0 || outcome.FailedShards > 0)
        {
            logger.LogInformation("Event dispatch published {Count} lifecycle events; {FailedShards} outbox shards wait for the next pass", outcome.Published, outcome.FailedShards);
        }
    }
}
