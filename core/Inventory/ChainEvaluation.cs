namespace Pki.Core.Inventory;

/// <summary>
/// Follows a presented chain from the leaf by signature, through the certificates the server sent, to a
/// trust anchor. Only what was presented counts: an intermediate the server left out makes the chain
/// incomplete even when we know it, because a client does not. Any signature algorithm is followed
/// (weak ones are a finding of their own), and nothing is fetched from the network.
/// </summary>
/// <remarks>
/// Where the presented chain stops short of an anchor, what is missing decides the finding. A CA we know (one of ours)
/// that the server did not send is a missing intermediate. A chain that ends at an intermediate CA whose issuer we do
/// not know is what a correctly configured server sends for a private CA (every certificate but the root): it cannot be
/// verified here without that root, which is a different finding (low) from a server leaving out an intermediate
/// (high). A leaf whose issuer was not sent and is unknown is taken as a missing intermediate, as clients report it.
/// </remarks>
public static class ChainEvaluation
{
    private const int MaxDepth = 10;

    /// <param name="known">CA certificates we know besides the anchors (our issuing CAs), to name an intermediate the server left out.</param>
    public static Finding? Evaluate(IReadOnlyList<CertificateFacts> presented, IReadOnlyCollection<CertificateFacts> anchors, string location, IReadOnlyCollection<CertificateFacts>? known = null)
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
                return Stopped(current, known ?? [], location);
            }

            current = next;
        }

        return new Finding(FindingCodes.ChainIncomplete, FindingSeverity.High, $"The chain is longer than {MaxDepth} certificates or loops.", location);
    }

    /// <summary>The finding for a chain that stops at <paramref name="last"/> without reaching an anchor.</summary>
    private static Finding Stopped(CertificateFacts last, IReadOnlyCollection<CertificateFacts> known, string location)
    {
        if (last.IsSelfSigned)
        {
            return new Finding(FindingCodes.Untrusted, FindingSeverity.High, $"The chain ends at '{last.Subject}', which is not a configured trust anchor.", location);
        }

        if (known.FirstOrDefault(k => k.Fingerprint != last.Fingerprint && last.SignedBy(k)) is { } missing)
        {
            return new Finding(FindingCodes.ChainIncomplete, FindingSeverity.High,
                $"The server did not send the intermediate '{missing.Subject}' that issued '{last.Subject}'; clients without it cannot build the chain.", location);
        }

        return last.IsCa
            ? new Finding(FindingCodes.ChainUnverifiable, FindingSeverity.Low,
                $"Chain not verifiable: no trust anchor for issuer '{last.Issuer}' (the chain as served ends at the intermediate '{last.Subject}', as it should for a private CA). Add that root to Pki:Inventory:TrustAnchorFiles to check the chain.",
                location)
            : new Finding(FindingCodes.ChainIncomplete, FindingSeverity.High, $"The server did not send the issuer of '{last.Subject}' ('{last.Issuer}'), and it is no trust anchor.", location);
    }
}
