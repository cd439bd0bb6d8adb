using Microsoft.Extensions.Options;
using Org.BouncyCastle.Asn1.X509;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>The profiles a request may name, with lifetimes from configuration.</summary>
public sealed class ProfileCatalog
{
    /// <summary>CA/Browser Forum ballot SC-081 brings public TLS lifetimes to 47 days by 2029; we start there.</summary>
    public const int DefaultMaxValidityDays = 47;

    /// <summary>
    /// Code-signing certificates outlive TLS ones (signatures are timestamped, keys live in HSMs); the CA/Browser
    /// Forum's code-signing requirements cap subscriber certificates at 460 days, we default below that.
    /// </summary>
    public const int DefaultCodeSigningMaxValidityDays = 365;

    private readonly Dictionary<string, CertificateProfile> _profiles;

    public ProfileCatalog(IOptions<PkiOptions> options)
    {
        var overrides = options.Value.Profiles;
        int Max(string name, int fallback = DefaultMaxValidityDays) => overrides.TryGetValue(name, out var o) && o.MaxValidityDays is { } days ? days : fallback;
        bool Approval(string name, bool fallback) => overrides.TryGetValue(name, out var o) && o.RequiresApproval is { } required ? required : fallback;

        _profiles = new Dictionary<string, CertificateProfile>(StringComparer.Ordinal)
        {
            [ProfileNames.TlsServer] = new(ProfileNames.TlsServer, KeyPurposeID.id_kp_serverAuth, RequiresSubjectAltName: true, Max(ProfileNames.TlsServer),
                RequiresApproval: Approval(ProfileNames.TlsServer, false)),
            [ProfileNames.TlsClient] = new(ProfileNames.TlsClient, KeyPurposeID.id_kp_clientAuth, RequiresSubjectAltName: false, Max(ProfileNames.TlsClient),
                RequiresApproval: Approval(ProfileNames.TlsClient, false)),
            [ProfileNames.CodeSigning] = new(ProfileNames.CodeSigning, KeyPurposeID.id_kp_codeSigning, RequiresSubjectAltName: false,
                Max(ProfileNames.CodeSigning, DefaultCodeSigningMaxValidityDays), NamesHosts: false, RequiresApproval: Approval(ProfileNames.CodeSigning, true)),
        };
    }

    public IReadOnlyCollection<string> Names => _profiles.Keys;

    public CertificateProfile Get(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ProblemException.Unprocessable("missing-profile", $"Name a profile in 'profile': one of {string.Join(", ", Names)}.");
        }

        return _profiles.TryGetValue(name, out var profile)
            ? profile
            : throw ProblemException.Unprocessable("unknown-profile", $"Profile '{Truncate(name)}' does not exist; use one of {string.Join(", ", Names)}.");
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
