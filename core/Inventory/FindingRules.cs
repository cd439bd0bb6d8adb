using System.Net;

namespace Pki.Core.Inventory;

/// <summary>The findings that follow from a certificate and how it was presented; no storage, no clock of its own.</summary>
public sealed class FindingRules(InventoryOptions options)
{
    /// <summary>What the certificate alone shows: weak key, weak signature, a self-signed leaf.</summary>
    public IEnumerable<Finding> Intrinsic(CertificateFacts facts)
    {
        var weakKey = facts.KeyAlgorithm switch
        {
            "RSA" => facts.KeySize < options.MinRsaBits ? $"RSA key of {facts.KeySize} bits; at least {options.MinRsaBits} are required." : null,
            "EC" => facts.KeySize < options.MinEcBits ? $"EC key on a {facts.KeySize}-bit curve; at least P-{options.MinEcBits} is required." : null,
            "DSA" => $"DSA key of {facts.KeySize} bits; DSA is no longer accepted for TLS.",
            _ => null,
        };
        if (weakKey is not null)
        {
            yield return new Finding(FindingCodes.WeakKey, FindingSeverity.High, weakKey);
        }

        var signature = facts.SignatureAlgorithm.ToUpperInvariant().Replace("-", string.Empty, StringComparison.Ordinal);
        if (!facts.IsSelfSigned && (signature.StartsWith("MD5", StringComparison.Ordinal) || signature.StartsWith("MD2", StringComparison.Ordinal)))
        {
            yield return new Finding(FindingCodes.WeakSignature, FindingSeverity.Critical, $"Signed with {facts.SignatureAlgorithm}; MD5 signatures can be forged.");
        }
        else if (!facts.IsSelfSigned && signature.StartsWith("SHA1", StringComparison.Ordinal))
        {
            yield return new Finding(FindingCodes.WeakSignature, FindingSeverity.High, $"Signed with {facts.SignatureAlgorithm}; SHA-1 signatures are refused by current clients.");
        }

        if (facts.IsSelfSigned && !facts.IsCa)
        {
            yield return new Finding(FindingCodes.SelfSigned, FindingSeverity.Medium, "Self-signed leaf certificate: no CA vouches for it, so clients cannot validate it.");
        }

        // As testssl.sh judges it: one way to check revocation is enough, none is a finding. A self-signed certificate has
        // no issuer that could revoke it.
        if (!facts.IsSelfSigned && !facts.HasOcspUrl && !facts.HasCrlUrl)
        {
            yield return new Finding(FindingCodes.NoRevocationUrl, FindingSeverity.Medium,
                "Names neither an OCSP responder (authorityInfoAccess) nor a CRL (cRLDistributionPoints): relying parties cannot learn that it was revoked.");
        }
    }

    /// <summary>
    /// The deprecated protocol versions an endpoint accepts (RFC 8996 retired TLS 1.0 and 1.1 in 2021; current browsers
    /// refuse them), as sslscan and testssl.sh report them; null when it accepts none.
    /// </summary>
    public static Finding? LegacyProtocols(IReadOnlyList<string>? accepted, string location)
    {
        if (accepted is not { Count: > 0 })
        {
            return null;
        }

        var names = string.Join(" and ", accepted.Select(p => p switch { "Tls10" => "TLS 1.0", "Tls11" => "TLS 1.1", _ => p }));
        return new Finding(FindingCodes.LegacyTls, FindingSeverity.Medium,
            $"Accepts {names}, deprecated by RFC 8996 and refused by current clients; allow TLS 1.2 and 1.3 only.", location);
    }

    /// <summary>
    /// Expired, or expiring within a threshold, at <paramref name="now"/>; the nearest threshold crossed sets the severity.
    /// A threshold as long as the certificate's whole lifetime or longer is not applied to it, since it would be "expiring"
    /// from its first day (a 47-day certificate against the 60-day early warning); the nearest threshold always applies.
    /// </summary>
    public Finding? Timely(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset now)
    {
        // notAfter is the last moment of validity (RFC 5280 4.1.2.5), as the inventory's filters count it.
        if (notAfter < now)
        {
            return new Finding(FindingCodes.Expired, FindingSeverity.Critical, $"Expired on {notAfter:yyyy-MM-dd HH:mm} UTC.");
        }

        var thresholds = options.Thresholds;
        var daysLeft = (notAfter - now).TotalDays;
        var lifetime = (notAfter - notBefore).TotalDays;
        var crossed = thresholds.Where(t => daysLeft <= t && (t < lifetime || t == thresholds[^1])).ToArray();
        if (crossed.Length == 0)
        {
            return null;
        }

        // Thresholds are in descending order: the last crossed is the nearest; the two nearest are High and Medium.
        var rank = thresholds.Count - Array.IndexOf(thresholds.ToArray(), crossed[^1]);
        var severity = rank switch { 1 => FindingSeverity.High, 2 => FindingSeverity.Medium, _ => FindingSeverity.Low };
        return new Finding(FindingCodes.Expiring, severity, $"Expires on {notAfter:yyyy-MM-dd HH:mm} UTC, in {DaysToExpiry.Of(notAfter, now)} days (threshold {crossed[^1]} days).");
    }

    /// <summary>The earliest notAfter that counts as expiring at <paramref name="now"/>: the widest threshold.</summary>
    public DateTimeOffset ExpiringBefore(DateTimeOffset now) => now.AddDays(options.Thresholds.Max());

    /// <summary>
    /// Hostname mismatch for the name a client used (the SNI name, else a host name), checked against the
    /// leaf's DNS names as RFC 6125 says: wildcards only as the whole leftmost label, no common-name fallback.
    /// </summary>
    public static Finding? Hostname(CertificateFacts leaf, string? nameUsed, string location)
    {
        if (string.IsNullOrEmpty(nameUsed) || IPAddress.TryParse(nameUsed, out _))
        {
            return null;
        }

        if (leaf.DnsNames.Any(pattern => Matches(pattern, nameUsed)))
        {
            return null;
        }

        var names = leaf.DnsNames.Count == 0 ? "no DNS names" : "DNS names " + string.Join(", ", leaf.DnsNames);
        return new Finding(FindingCodes.HostnameMismatch, FindingSeverity.High, $"Served for '{nameUsed}', but the certificate has {names}.", location);
    }

    /// <summary>RFC 6125 section 6.4: exact match, or a "*" that is the entire leftmost label and stands for exactly one label.</summary>
    public static bool Matches(string pattern, string name)
    {
        pattern = pattern.TrimEnd('.');
        name = name.TrimEnd('.');
        if (string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!pattern.StartsWith("*.", StringComparison.Ordinal) || pattern.IndexOf('*', 1) >= 0)
        {
            return false;
        }

        var dot = name.IndexOf('.');
        return dot > 0 && string.Equals(pattern[1..], name[dot..], StringComparison.OrdinalIgnoreCase) && pattern.Count(c => c == '.') >= 2;
    }
}
