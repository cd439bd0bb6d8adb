using System.Globalization;
using Pki.Core.Authority.Approvals;

namespace Pki.Core.Authority;

/// <summary>
/// Says in the answer what policy changed without refusing: a lifetime above the profile's maximum is capped to it, and
/// no certificate outlives its issuing CA. The caller learns it from the response, not from reading notAfter.
/// </summary>
public sealed class IssuanceWarnings(ProfileCatalog profiles)
{
    public const string ValidityCapped = "validity-capped";

    /// <summary>The certificate with a <see cref="ValidityCapped"/> warning when it is valid for less time than <paramref name="request"/> asked for.</summary>
    public CertificateView Annotate(CertificateView issued, CertificateRequestInput request)
    {
        ArgumentNullException.ThrowIfNull(issued);
        ArgumentNullException.ThrowIfNull(request);
        var max = profiles.Get(issued.Profile).MaxValidityDays;
        var asked = request.ValidityDays ?? max;
        var granted = Math.Min(asked, max);
        var lifetime = issued.NotAfter - issued.NotBefore;
        string? detail = null;
        if (lifetime < TimeSpan.FromDays(granted))
        {
            detail = $"The certificate is valid until {Time(issued.NotAfter)} ({lifetime.TotalDays:0.#} days), when the certificate of issuing CA '{issued.IssuerId}' ends: no certificate outlives its issuer"
                + (asked > max ? $"; validityDays {asked} is also above profile '{issued.Profile}''s maximum of {max} days." : ".");
        }
        else if (asked > max)
        {
            detail = $"validityDays {asked} is above profile '{issued.Profile}''s maximum of {max} days (Pki:Profiles:{issued.Profile}:MaxValidityDays): the certificate is valid for {max} days, until {Time(issued.NotAfter)}.";
        }

        return detail is null ? issued : issued with { Warnings = [.. issued.Warnings ?? [], new ResponseWarning(ValidityCapped, detail)] };
    }

    /// <summary>A request held for approval with a <see cref="ValidityCapped"/> warning when it asks for more than its profile allows.</summary>
    public ApprovalRequestView Annotate(ApprovalRequestView held)
    {
        ArgumentNullException.ThrowIfNull(held);
        var max = profiles.Get(held.Profile).MaxValidityDays;
        return held.ValidityDays is { } asked && asked > max
            ? held with
            {
                Warnings = [.. held.Warnings ?? [], new ResponseWarning(ValidityCapped,
                    $"validityDays {asked} is above profile '{held.Profile}''s maximum of {max} days (Pki:Profiles:{held.Profile}:MaxValidityDays): once approved, the certificate is valid for {max} days.")],
            }
            : held;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
