using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Discovery.Targets;
using Pki.Core.Errors;
using Pki.Core.Inventory;
using Pki.Core.Storage;
using Azure;

namespace Pki.Core.Discovery.Sweeps;

/// <summary>
/// Plans a sweep (targets → endpoints → one queue message per batch, one per vault) and runs one batch
/// (handshakes, then the inventory). A batch already done is not scanned again, and recording is keyed
/// by fingerprint and location, so a redelivered message changes nothing.
/// </summary>
public sealed class SweepService(
    ITargetStore targets,
    ISweepStore sweeps,
    ISweepQueue queue,
    ITlsScanner scanner,
    NetworkPolicy network,
    IKeyVaultCertificateSource vaults,
    InventoryRecorder recorder,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<SweepService> logger)
{
    public const string KeyVaultOutcome = "keyvault";

    /// <summary>The id that names the sweep started last (sweep ids are timestamps, never this).</summary>
    public const string CurrentSweepId = "current";

    /// <summary>An endpoint answered with TLS, but what it presented could not be recorded.</summary>
    public const string RecordFailedOutcome = "RecordFailed";

    /// <summary>A whole batch failed on every try and went to the poison queue.</summary>
    public const string BatchFailedOutcome = "BatchFailed";
    private const int MaxMessageLength = 300;
    private const int MaxFailuresShown = 1000;

    /// <summary>
    /// Queuing a largest sweep takes a minute or two; one still not queued after this died part-way (a crash) and
    /// no longer blocks a start.
    /// </summary>
    private static readonly TimeSpan QueuingGrace = TimeSpan.FromMinutes(10);

    public async Task<SweepView> StartAsync(string trigger, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var id = now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var all = await targets.ListAsync(cancellationToken).ConfigureAwait(false);

        // One endpoint named by two targets is scanned once.
        var endpoints = all.SelectMany(TargetExpansion.Endpoints).DistinctBy(e => e.Location, StringComparer.OrdinalIgnoreCase).ToArray();
        var vaultUris = all.Where(t => t.Kind == TargetKind.KeyVault).Select(t => t.VaultUri!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var batches = endpoints.Chunk(options.Value.Discovery.BatchSize)
            .Select((chunk, i) => new SweepBatch(id, i, chunk, null))
            .Concat(vaultUris.Select((uri, i) => new SweepBatch(id, 0, null, uri)))
            .Select((b, i) => b with { Batch = i })
            .ToArray();

        // The record first: a crash while sending leaves a sweep that shows as incomplete, never batches without a sweep.
        // One sweep at a time: each covers every target, so another one meanwhile would only scan it all twice.
        var sweep = new SweepRecord(id, trigger, now, batches.Length, endpoints.Length, vaultUris.Length);
        var timeout = TimeSpan.FromMinutes(options.Value.Discovery.SweepTimeoutMinutes);
        cancellationToken.ThrowIfCancellationRequested();

        // Past the claim the caller's leaving cancels nothing: a sweep claimed but half queued would refuse every start
        // until it timed out. The start either runs to the end or is released.
        if (await sweeps.TryBeginAsync(sweep, now - timeout, now - QueuingGrace, CancellationToken.None).ConfigureAwait(false) is { } running)
        {
            throw ProblemException.Conflict("sweep-in-progress",
                $"Sweep {running} is still running (GET /api/{Routes.DiscoverySweeps}/{running}); a new one can start when it is done, or {timeout.TotalMinutes:0} minutes after it started.");
        }

        var queued = 0;
        try
        {
            // Recorded before any batch runs, so no sweep scans without its record.
            await audit.AppendAsync(
                AuditEntry.Succeeded(AuditActions.SweepStart) with
                {
                    Detail = $"sweep={id} trigger={trigger} targets={all.Count} endpoints={endpoints.Length} vaults={vaultUris.Length} batches={batches.Length}",
                },
                CancellationToken.None).ConfigureAwait(false);
            foreach (var batch in batches)
            {
                await queue.SendAsync(batch, CancellationToken.None).ConfigureAwait(false);
                queued++;
            }
        }
        catch (Exception e)
        {
            await ReleaseAsync(sweep, queued, e).ConfigureAwait(false);
            throw;
        }

        try
        {
            await sweeps.MarkQueuedAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Every batch is queued and will run; unmarked, the sweep only blocks other starts for the queuing grace.
            logger.LogError(e, "Sweep {SweepId} is queued but could not be marked so", id);
        }

        logger.LogInformation("Started sweep {SweepId} ({Trigger}): {Endpoints} endpoints and {Vaults} vaults from {Targets} targets in {Batches} batches",
            id, trigger, endpoints.Length, vaultUris.Length, all.Count, batches.Length);
        return View(sweep, []);
    }

    /// <summary>
    /// Cuts a sweep whose start failed to the batches already queued (they run, recording is idempotent, and they
    /// complete it), so the next start is not refused; the trail says how far it got.
    /// </summary>
    private async Task ReleaseAsync(SweepRecord sweep, int queued, Exception failure)
    {
        logger.LogError(failure, "Sweep {SweepId} failed to start after {Queued} of {Batches} batches; releasing it", sweep.Id, queued, sweep.Batches);
        try
        {
            await sweeps.ReleaseAsync(sweep.Id, queued, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not release sweep {SweepId}; it blocks new starts until it is {Minutes} minutes old", sweep.Id, QueuingGrace.TotalMinutes);
        }

        try
        {
            await audit.AppendAsync(
                AuditEntry.Failed(AuditActions.SweepStart, $"sweep={sweep.Id} trigger={sweep.Trigger} released after queuing {queued} of {sweep.Batches} batches: {Truncate(failure.Message)}"),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record the release of sweep {SweepId}", sweep.Id);
        }
    }

    /// <summary>A sweep by id, or with <see cref="CurrentSweepId"/> the one started last.</summary>
    public async Task<SweepView> GetAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        if (sweepId == CurrentSweepId)
        {
            sweepId = await sweeps.GetCurrentIdAsync(cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.NotFound("unknown-sweep", "No sweep has started yet.");
        }

        var found = sweepId is { Length: > 0 and <= 64 } && sweepId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? await sweeps.GetAsync(sweepId, cancellationToken).ConfigureAwait(false)
            : null;
        return found is { } f ? View(f.Sweep, f.Batches) : throw ProblemException.NotFound("unknown-sweep", $"No sweep has id '{sweepId}'.");
    }

    /// <summary>
    /// Scans one batch and records what it found. An endpoint or vault that yields nothing, or whose record
    /// fails for a reason a retry cannot change, is reported in the batch; a storage failure is thrown, so
    /// the queue tries the batch again. On the last try (<paramref name="dequeueCount"/> at the host's
    /// maximum) the failure is also written into the sweep's report before the message goes to poison.
    /// </summary>
    public async Task RunBatchAsync(SweepBatch batch, long dequeueCount = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (await sweeps.IsBatchDoneAsync(batch.SweepId, batch.Batch, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Batch {Batch} of sweep {SweepId} is already done; nothing to do", batch.Batch, batch.SweepId);
            return;
        }

        try
        {
            await ScanAndRecordAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (QueueRetries.MovesToPoison(dequeueCount, e))
        {
            var location = batch.VaultUri ?? $"{batch.Endpoints?.Count ?? 0} endpoints";
            try
            {
                await sweeps.CompleteBatchAsync(
                    new BatchRecord(batch.SweepId, batch.Batch, time.GetUtcNow(), new Dictionary<string, int> { [BatchFailedOutcome] = 1 }, 0,
                        [new ScanFailure(location, BatchFailedOutcome, Truncate($"Batch {batch.Batch} failed {dequeueCount} times; last: {e.Message}"))]),
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception recordFailure)
            {
                logger.LogError(recordFailure, "Could not record the failure of batch {Batch} of sweep {SweepId}", batch.Batch, batch.SweepId);
            }

            throw;
        }
    }

    private async Task ScanAndRecordAsync(SweepBatch batch, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<ScanFailure>();
        var certificates = 0;
        if (batch.Endpoints is { Count: > 0 } endpoints)
        {
            var results = await scanner.ScanAllAsync(endpoints, cancellationToken).ConfigureAwait(false);
            foreach (var result in results)
            {
                var outcome = result.Outcome.ToString();
                if (result.Outcome == ScanOutcome.Tls)
                {
                    try
                    {
                        await recorder.RecordEndpointAsync(result.ToSighting(), batch.SweepId, cancellationToken).ConfigureAwait(false);
                        certificates += result.Chain.Count;
                    }
                    catch (Exception e) when (e is not (RequestFailedException or OperationCanceledException))
                    {
                        // This endpoint's certificates cannot be recorded (nothing a retry changes); the other endpoints go on.
                        logger.LogError(e, "Recording what {Location} presented failed in sweep {SweepId}", result.Endpoint.Location, batch.SweepId);
                        outcome = RecordFailedOutcome;
                        failures.Add(new ScanFailure(result.Endpoint.Location, outcome, Truncate(e.Message)));
                    }
                }
                else
                {
                    failures.Add(new ScanFailure(result.Endpoint.Location, outcome, Truncate(result.Message)));
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        else if (batch.VaultUri is { } vaultUri)
        {
            if (!Uri.TryCreate(vaultUri, UriKind.Absolute, out var uri) || !network.IsVaultAllowed(uri))
            {
                // Allowed when added, but the allowed domains have changed since: nothing is sent to it.
                failures.Add(new ScanFailure(vaultUri, nameof(ScanOutcome.NotAllowed), "The vault's host is no longer in Pki:Discovery:AllowedVaultHostSuffixes."));
                outcomes[nameof(ScanOutcome.NotAllowed)] = 1;
            }
            else
            {
                try
                {
                    await foreach (var certificate in vaults.ListAsync(uri, cancellationToken).ConfigureAwait(false))
                    {
                        await recorder.RecordVaultAsync(certificate.ToSighting(), batch.SweepId, cancellationToken).ConfigureAwait(false);
                        certificates++;
                    }

                    outcomes[KeyVaultOutcome] = 1;
                }
                catch (KeyVaultListingException e)
                {
                    // Reported with the sweep, not retried: the vault refused us or is gone, and the next sweep asks again.
                    logger.LogWarning(e, "Vault {VaultUri} of sweep {SweepId} could not be listed after {Certificates} certificates", vaultUri, batch.SweepId, certificates);
                    failures.Add(new ScanFailure(vaultUri, nameof(ScanOutcome.Failed), Truncate(e.Message)));
                    outcomes[nameof(ScanOutcome.Failed)] = 1;
                }
            }
        }

        await sweeps.CompleteBatchAsync(new BatchRecord(batch.SweepId, batch.Batch, time.GetUtcNow(), outcomes, certificates, failures), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Finished batch {Batch} of sweep {SweepId}: {Certificates} certificates, {Failures} failures", batch.Batch, batch.SweepId, certificates, failures.Count);
    }

    /// <summary>A failure's message as stored with its batch: one line, bounded, as batches must fit in one table row.</summary>
    private static string? Truncate(string? message) =>
        message is null ? null : (message.Length <= MaxMessageLength ? message : message[..MaxMessageLength] + "…").ReplaceLineEndings(" ");

    private static SweepView View(SweepRecord sweep, IReadOnlyList<BatchRecord> batches)
    {
        var outcomes = batches.SelectMany(b => b.Outcomes).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
        var complete = batches.Count >= sweep.Batches;
        return new SweepView(
            sweep.Id, sweep.Trigger, sweep.StartedAt, sweep.Batches, batches.Count, sweep.Endpoints, sweep.Vaults, complete,
            complete ? batches.Select(b => b.CompletedAt).DefaultIfEmpty(sweep.StartedAt).Max() : null,
            batches.Sum(b => b.Certificates), outcomes, batches.Sum(b => b.Failures.Count),
            batches.OrderBy(b => b.Batch).SelectMany(b => b.Failures).Take(MaxFailuresShown).ToArray(),
            sweep.Released);
    }
}
