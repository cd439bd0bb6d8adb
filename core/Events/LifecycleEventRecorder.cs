using Pki.Core.Authority;
using Pki.Core.Inventory;
using Pki.Core.Revocation;

namespace Pki.Core.Events;

/// <summary>
/// Writes lifecycle events to the outbox once the state they describe has committed, then tries to publish at once.
/// As an issuance observer it is registered first, so it runs straight after the certificate is marked issued.
/// A crash between that commit and the outbox write leaves the issuance's journal entry open, and the issuance repair
/// pass writes the "issued" event (same id); a repeated revoke request writes its "revoked" event again with the same id.
/// As an inventory observer it records "discovered" when a sweep records a certificate for the first time (never for
/// an issuance: that one has its "issued" event).
/// </summary>
public sealed class LifecycleEventRecorder(LifecycleEvents events, IEventOutbox outbox, EventDispatcher dispatcher) : IIssuanceObserver, IRevocationObserver, IInventoryObserver
{
    public Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default) =>
        RecordAsync(events.Issued(certificate), cancellationToken);

    public Task OnRevokedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default) =>
        RecordAsync(events.Revoked(certificate), cancellationToken);

    public Task OnAddingAsync(InventoryItem item, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task OnAddedAsync(InventoryItem item, string? location, CancellationToken cancellationToken = default) =>
        location is null ? Task.CompletedTask : RecordAsync(events.Discovered(item, location), cancellationToken);

    /// <summary>For any committed change (a renewal, a threshold crossed, a discovery): outbox first, then a best-effort publish.</summary>
    public async Task RecordAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        var entry = await outbox.AddAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
        await dispatcher.TryPublishNowAsync(entry).ConfigureAwait(false);
    }
}
