using Pki.Core.Authority;
using Pki.Core.Errors;

namespace Pki.Core.Renewal;

/// <summary>
/// What a pipeline's renewal request came to: the successor (issued now or replayed for a repeated request id), or the
/// refusal that retrying the same message cannot change (audited and logged once; the message is done).
/// </summary>
public sealed record RenewalRequestOutcome
{
    private RenewalRequestOutcome(IssuanceOutcome? issued, ProblemException? refusal)
    {
        Issued = issued;
        Refusal = refusal;
    }

    /// <summary>The successor; null when the request was refused.</summary>
    public IssuanceOutcome? Issued { get; }

    /// <summary>Why policy refused the request; null when a certificate was issued.</summary>
    public ProblemException? Refusal { get; }

    public static RenewalRequestOutcome Renewed(IssuanceOutcome issued) => new(issued ?? throw new ArgumentNullException(nameof(issued)), null);

    public static RenewalRequestOutcome Refused(ProblemException refusal) => new(null, refusal ?? throw new ArgumentNullException(nameof(refusal)));
}
