namespace Pki.Core.Inventory;

/// <summary>
/// Follows a presented chain from the leaf by signature, through the certificates the server sent, to a
/// trust anchor. Only what was presented counts: an intermediate the server left out makes the chain
/// incomplete even when we know it, because a client does not. Any signature algorithm is followed
/// (weak ones are a finding of their own), and nothing is fetched from the network.
/// </summary>
public static class ChainEvaluation
{
    private const int MaxDepth = 10;

    public static Finding? Evaluate(IReadOnlyList<CertificateFacts> presented, IReadOnlyCollection<CertificateFacts> anchors, string location)
    {
        ArgumentOutOfRangeException.ThrowIfZero(presented.Count);
        var current = presented[0];
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            if (anchors.Any(a => a.Fingerprint == current.Fingerprint) || anchors.Any(current.SignedBy))
            {
                return null;
            }

            var next = presented.Skip(1).FirstOrDefault(p => p.Fingerprint != current.Fingerprint && current.SignedBy(p));
            if (next is null)
            {
                return current.IsSelfSigned
                    ? new Finding(FindingCodes.Untrusted, FindingSeverity.High, $"The chain ends at '{current.Subject}', which is not a configured trust anchor.", location)
                    : new Finding(FindingCodes.ChainIncomplete, FindingSeverity.High, $"The server did not send the issuer of '{current.Subject}' ('{current.Issuer}'), and it is no trust anchor.", location);
            }

            current = next;
        }

        return new Finding(FindingCodes.ChainIncomplete, FindingSeverity.High, $"The chain is longer than {MaxDepth} certificates or loops.", location);
    }
}
