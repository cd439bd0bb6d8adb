using Microsoft.Extensions.Logging;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Storage;

namespace Pki.Core.Renewal;

/// <summary>
/// Takes one batch of due certificates from the planner and puts one renewals-queue message per serial. Each renewal
/// stays its own message, retried and poisoned alone, so a certificate that cannot be renewed never re-runs the others
/// of its batch; and the renewals of a batch spread over every instance the renewals queue scales out to.
/// </summary>
public sealed class RenewalFanOut(IRenewalQueue queue, ICertificateStore certificates, ILogger<RenewalFanOut> logger)
{
    /// <summary>Messages sent (or records read) at once for one batch: the fan-out is bound by round trips.</summary>
    public const int Parallelism = 16;

    /// <summary>Returns how many renewals it put on the queue.</summary>
    /// <param name="dequeueCount">The try; above 1 the serials already renewed are left out, at the maximum a failure is logged as going to poison.</param>
    /// <exception cref="FormatException">The message holds no <c>serialNumbers</c>; the queue retries, then poisons it.</exception>
    public async Task<int> FanOutAsync(RenewalBatch batch, long dequeueCount = 1, CancellationToken cancellationToken = default)
    {
        try
        {
            var serials = batch?.SerialNumbers ?? throw new FormatException("Renewal batch without 'serialNumbers'.");

            // A first delivery sends without reading: the renewer reads each record anyway. A redelivery (a send failed,
            // or a host died before the message was deleted) leaves out what is renewed already, so a batch delivered
            // again after its renewals ran sends nothing; one still queued is sent again, and the renewer's link claim
            // makes that second message issue nothing.
            var pending = dequeueCount > 1 ? await NotRenewedAsync(serials, cancellationToken).ConfigureAwait(false) : serials;
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (serial, ct) =>
                await queue.SendAsync(new RenewalMessage(serial), ct).ConfigureAwait(false)).ConfigureAwait(false);

            logger.LogInformation("Renewal batch of due day {Day} fanned out: {Sent} of {Serials} certificates queued for renewal on try {DequeueCount}", batch!.Day, pending.Count, serials.Count, dequeueCount);
            return pending.Count;
        }
        catch (Exception e) when (QueueRetries.MovesToPoison(dequeueCount, e))
        {
            logger.LogError(e, "Renewal batch of due day {Day} ({Serials} certificates) failed {DequeueCount} times; the message moves to the poison queue", batch?.Day, batch?.SerialNumbers?.Count, dequeueCount);
            throw;
        }
    }

    /// <summary>The serials without a successor; one that is no valid serial is kept, so the renewer poisons it alone.</summary>
    private async Task<IReadOnlyList<string?>> NotRenewedAsync(IReadOnlyList<string?> serials, CancellationToken cancellationToken)
    {
        var renewed = new bool[serials.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, serials.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            string serial;
            try
            {
                serial = SerialNumbers.Normalize(serials[i]);
            }
            catch (ProblemException)
            {
                return;
            }

            renewed[i] = await certificates.GetAsync(serial, ct).ConfigureAwait(false) is { SuccessorSerial: not null };
        }).ConfigureAwait(false);

        return [.. serials.Where((_, i) => !renewed[i])];
    }
}
