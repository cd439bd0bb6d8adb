using Microsoft.Extensions.Logging;
using Pki.Core.Authority;
using Pki.Core.Events;

namespace Pki.Core.Acme;

/// <summary>
/// Links an ACME replacement (an order with RFC 9773 <c>replaces</c>) to its predecessor as the pipeline's renewals are:
/// the predecessor names its successor, and a <c>renewed</c> lifecycle event follows the successor's <c>issued</c> one.
/// </summary>
public sealed class AcmeReplacementLinks(ICertificateStore store, CertificateIssuer issuer, LifecycleEvents events, LifecycleEventRecorder recorder, ILogger<AcmeReplacementLinks> logger)
{
    public async Task LinkAsync(string predecessorSerial, string successorSerial)
    {
        var linked = await store.TryLinkSuccessorAsync(predecessorSerial, successorSerial, CancellationToken.None).ConfigureAwait(false);
        if (linked != successorSerial)
        {
            logger.LogWarning("Certificate {SerialNumber} already has successor {LinkedSerial}; ACME replacement {SuccessorSerial} stays unlinked", predecessorSerial, linked, successorSerial);
            return;
        }

        await issuer.WhenDerivedAsync(successorSerial).ConfigureAwait(false);
        var record = await store.GetAsync(successorSerial, CancellationToken.None).ConfigureAwait(false);
        await recorder.RecordAsync(events.Renewed(record!, predecessorSerial), CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("ACME replaced certificate {SerialNumber} by {SuccessorSerial}", predecessorSerial, successorSerial);
    }
}
