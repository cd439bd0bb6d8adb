namespace Pki.Core.Delivery;

/// <summary>The vault's CSR is held for approval: the operation waits for the decision, which is neither a failure nor an attempt.</summary>
internal sealed class DeliveryAwaitingApprovalException(string requestId)
    : Exception($"Held for approval as request {requestId}; once an approver approves it, the certificate is signed and the next delivery pass merges it into the vault.")
{
    public string RequestId { get; } = requestId;
}
