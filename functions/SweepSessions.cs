using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access.Sessions;

namespace Pki.Functions;

/// <summary>Deletes the dashboard sessions that ended in the hours since the last sweep (read from their expiry index).</summary>
public sealed class SweepSessions(SessionService sessions, ILogger<SweepSessions> logger)
{
    [Function(nameof(SweepSessions))]
    public async Task Run([TimerTrigger(Schedules.SessionSweep)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var deleted = await sessions.SweepAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Session sweep: {Deleted} expired dashboard sessions deleted", deleted);
        }
    }
}
