using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Discovery.Sweeps;
using Pki.Core.Errors;
using Pki.Core.Storage;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Sweeps: started by the hour or by hand, fanned out over the discovery queue, progress over HTTP.</summary>
public sealed class DiscoverySweeps(HttpFunction http, SweepService sweeps, ILogger<DiscoverySweeps> logger)
{
    public const string ScheduleTrigger = "schedule";
    public const string ManualTrigger = "manual";

    [ApiOperation("Start a discovery sweep of every target now.", Response = typeof(SweepView), Status = 202, Permission = nameof(Permission.ManageDiscovery))]
    [Function(nameof(StartSweep))]
    public Task<IActionResult> StartSweep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.DiscoverySweeps)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageDiscovery, async () =>
        {
            var sweep = await sweeps.StartAsync(ManualTrigger, cancellationToken);
            req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.DiscoverySweeps}/{sweep.Id}";
            return Json.Result(sweep, StatusCodes.Status202Accepted);
        });

    [ApiOperation("A sweep's progress and results.", Response = typeof(SweepView), Permission = nameof(Permission.ReadDiscovery))]
    [Function(nameof(GetSweep))]
    public Task<IActionResult> GetSweep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.DiscoverySweep)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadDiscovery, async () => Json.Result(await sweeps.GetAsync(id, cancellationToken)));

    [Function(nameof(SweepTargets))]
    public async Task SweepTargets([TimerTrigger(Schedules.DiscoverySweep)] TimerInfo timer, CancellationToken cancellationToken)
    {
        try
        {
            await sweeps.StartAsync(ScheduleTrigger, cancellationToken);
        }
        catch (ProblemException e) when (e.Kind == ProblemKind.Conflict)
        {
            logger.LogWarning("Scheduled sweep skipped: {Detail}", e.Detail);
        }
    }

    /// <summary>One batch per message; a failure leaves the message to the queue's retries, then its poison queue.</summary>
    [Function(nameof(ScanSweepBatch))]
    public Task ScanSweepBatch(
        [QueueTrigger(QueueNames.DiscoveryBatches, Connection = QueueNames.Connection)] SweepBatch batch,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        sweeps.RunBatchAsync(batch, dequeueCount, cancellationToken);
}
