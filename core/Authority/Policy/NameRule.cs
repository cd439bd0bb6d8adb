using System.Net;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>
/// Names must be well-formed and inside the configured name spaces; a commonName must repeat one of
/// the subjectAltNames (or, with none, be an allowed DNS name itself).
/// </summary>
public sealed class NameRule : IIssuancePolicyRule
{
    private readonly string[] _suffixes;
    private readonly IPNetwork[] _ranges;

    public NameRule(IOptions<PkiOptions> options)
    {
        var names = options.Value.Names;
        _suffixes = (names.AllowedDnsSuffixes.Count > 0 ? names.AllowedDnsSuffixes : [.. NamePolicyOptions.DefaultDnsSuffixes])
            .Select(s => s.Trim().TrimStart('.').ToLowerInvariant())
            .ToArray();
        _ranges = (names.AllowedIpRanges.Count > 0 ? names.AllowedIpRanges : [.. NamePolicyOptions.DefaultIpRanges])
            .Select(r => IPNetwork.Parse(r))
            .ToArray();
    }

    public void Check(IssuanceRequest request)
    {
        // A signer's commonName is no host name; the subjectAltName rule has refused any host names for such a profile.
        if (!request.Profile.NamesHosts)
        {
            return;
        }

        var csr = request.Csr;
        foreach (var name in csr.DnsNames)
        {
            CheckDnsName(name);
        }

        foreach (var ip in csr.IpAddresses)
        {
            CheckIpAddress(ip);
        }

        var cn = csr.CommonName;
        if (cn is null)
        {
            return;
        }

        if (csr.DnsNames.Count + csr.IpAddresses.Count == 0)
        {
            CheckDnsName(cn);
            return;
        }

        var inSans = csr.DnsNames.Any(d => string.Equals(d, cn, StringComparison.OrdinalIgnoreCase))
            || (IPAddress.TryParse(cn, out var cnIp) && csr.IpAddresses.Contains(cnIp));
        if (!inSans)
        {
            throw ProblemException.Unprocessable("common-name-not-in-san", $"The CSR's commonName '{Shorten(cn)}' is not among its subjectAltNames; add it there or leave the commonName out.");
        }
    }

    /// <summary>One IP address against the allowed ranges (also an ACME <c>ip</c> identifier, before any CSR exists).</summary>
    public void CheckIpAddress(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);

        // A client matches ::ffff:a.b.c.d against a.b.c.d (Go's VerifyHostname does): such a SAN is an IPv4 address
        // in disguise, so it is refused rather than judged as IPv6, and the CSR must say the address plainly.
        if (ip.IsIPv4MappedToIPv6)
        {
            throw ProblemException.Unprocessable("ipv4-mapped-address", $"IP address {ip} is an IPv4-mapped IPv6 address, which clients read as {ip.MapToIPv4()}; put {ip.MapToIPv4()} in the CSR instead.");
        }

        if (!_ranges.Any(r => IpAddresses.InRange(r, ip)))
        {
            throw ProblemException.Forbidden("name-not-allowed", $"IP address {ip} is outside the allowed ranges ({string.Join(", ", _ranges)}).");
        }
    }

    /// <summary>One DNS name against the allowed name spaces (also an ACME <c>dns</c> identifier, before any CSR exists).</summary>
    public void CheckDnsName(string name)
    {
        if (!DnsNames.IsValid(name, out var reason))
        {
            throw ProblemException.Unprocessable("invalid-dns-name", $"'{Shorten(name)}' is not a valid DNS name: {reason}.");
        }

        var lower = name.ToLowerInvariant();
        var isWildcard = lower.StartsWith("*.", StringComparison.Ordinal);
        var baseName = isWildcard ? lower[2..] : lower;
        var allowed = _suffixes.Any(s =>
            baseName.EndsWith("." + s, StringComparison.Ordinal) || (!isWildcard && baseName == s));
        if (!allowed)
        {
            throw ProblemException.Forbidden("name-not-allowed", $"'{Shorten(name)}' is outside the allowed name spaces ({string.Join(", ", _suffixes.Select(s => "*." + s))}).");
        }
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
