using System.Net;

namespace Pki.Core.Access;

/// <summary>Start-up checks of <c>Pki:Access</c>, each naming the setting.</summary>
public static class AccessOptionsValidation
{
    /// <summary>More proxies than this in front of one app is a misconfiguration, not a topology.</summary>
    public const int MaxForwardedForHops = 8;

    public static void Validate(AccessOptions access, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(errors);
        var s = $"{PkiOptions.Section}:Access";
        ValidateKeys(access.ApiKeys, $"{s}:ApiKeys", errors);
        ValidateKeys(access.FunctionKeys, $"{s}:FunctionKeys", errors);

        var duplicates = access.ApiKeys.Values.Concat(access.FunctionKeys.Values).GroupBy(k => k.Sha256.ToLowerInvariant()).Where(g => g.Count() > 1);
        foreach (var duplicate in duplicates)
        {
            errors.Add($"{s}: the key with SHA-256 {duplicate.Key} is configured {duplicate.Count()} times; each key must act as one identity.");
        }

        var entra = access.Entra;
        if (entra.Enabled)
        {
            if (!Guid.TryParse(entra.TenantId, out _))
            {
                errors.Add($"{s}:Entra:TenantId must be the directory (tenant) id, a GUID; got '{entra.TenantId}'.");
            }

            if (entra.Audiences.Count == 0 || entra.Audiences.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{s}:Entra:Audiences must name the API's application id URI or client id when {s}:Entra:TenantId is set.");
            }

            if (!Uri.TryCreate(entra.ResolvedMetadataAddress, UriKind.Absolute, out var metadata) || metadata.Scheme != Uri.UriSchemeHttps && !metadata.IsLoopback)
            {
                errors.Add($"{s}:Entra:MetadataAddress must be an https URL (http only on loopback, for tests); got '{entra.ResolvedMetadataAddress}'.");
            }
        }

        if (access.RateLimits.IssuancePerWindow < 0 || access.RateLimits.WindowSeconds is < 1 or > 86400)
        {
            errors.Add($"{s}:RateLimits: IssuancePerWindow must be 0 (off) or more, and WindowSeconds between 1 and 86400.");
        }

        if (access.RateLimits.SignInFailuresPerWindow is < 0 or > 10_000 || access.RateLimits.SignInWindowSeconds is < 1 or > 86400)
        {
            errors.Add($"{s}:RateLimits: SignInFailuresPerWindow must be 0 (off) to 10000, and SignInWindowSeconds between 1 and 86400.");
        }

        if (access.ForwardedForHops is < 0 or > MaxForwardedForHops)
        {
            errors.Add($"{s}:ForwardedForHops must be between 0 (no proxy: the connection's address is the client's) and {MaxForwardedForHops}; got {access.ForwardedForHops}.");
        }

        if (access.SessionMinutes is < 1 or > 720)
        {
            errors.Add($"{s}:SessionMinutes must be between 1 and 720 (a dashboard session is short-lived); got {access.SessionMinutes}.");
        }

        foreach (var (team, grants) in access.Teams)
        {
            foreach (var grant in grants.Names)
            {
                var pattern = grant.Trim();
                var valid = pattern.Contains('/')
                    ? IPNetwork.TryParse(pattern, out _)
                    : IPAddress.TryParse(pattern, out _) || Authority.Policy.DnsNames.IsValid(pattern, out _);
                if (!valid)
                {
                    errors.Add($"{s}:Teams:{team}:Names holds '{grant}', which is not a DNS name, *.suffix, IP address or CIDR range.");
                }
            }
        }
    }

    private static void ValidateKeys(Dictionary<string, KeyCredentialOptions> keys, string section, List<string> errors)
    {
        foreach (var (name, key) in keys)
        {
            if (key.Sha256.Length != 64 || !key.Sha256.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{section}:{name}:Sha256 must be the key's SHA-256 in hex (64 digits; `printf %s KEY | sha256sum`), never the key itself.");
            }

            foreach (var role in key.Roles.Where(r => !Roles.All.Contains(r)))
            {
                errors.Add($"{section}:{name}:Roles holds '{role}', which is not a role ({string.Join(", ", Roles.All.Order())}).");
            }
        }
    }
}
