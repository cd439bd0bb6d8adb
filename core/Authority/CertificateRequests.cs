using Pki.Core.Authority.Approvals;

namespace Pki.Core.Authority;

/// <summary>
/// The JSON API's certificate request, one call whatever the profile: issued now (through <see cref="CertificateService"/>),
/// or held for approval (through <see cref="ApprovalService"/>) when the profile requires it; either answer carries a
/// warning where the request is met otherwise than asked (a capped lifetime). The profile decides here, once; the two
/// services each refuse a request of the other kind as an invariant, so no other path can skip the approval.
/// </summary>
public sealed class CertificateRequests(CertificateService certificates, ApprovalService approvals, IssuanceWarnings warnings)
{
    public async Task<SubmitOutcome> SubmitAsync(CertificateRequestInput input, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (approvals.RequiresApproval(input.Profile))
        {
            var held = await approvals.SubmitAsync(input, idempotencyKey, cancellationToken).ConfigureAwait(false);
            return new SubmitOutcome(null, warnings.Annotate(held.Request), held.Replayed);
        }

        var issued = await certificates.RequestAsync(input, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return new SubmitOutcome(warnings.Annotate(issued.Certificate, input), null, issued.Replayed);
    }
}
