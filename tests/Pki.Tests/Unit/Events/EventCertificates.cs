using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Events;
using Pki.Core.Inventory;

namespace Pki.Tests.Unit.Events;

/// <summary>Certificate records with real DER for event tests, and the event factory they use.</summary>
public static class EventCertificates
{
    public const string BaseUrl = "http://pki.test:7071";
    public const string CaId = "issuing-1";
    public static readonly DateTimeOffset IssuedAt = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    public static LifecycleEvents Events(params OwnerRuleOptions[] rules)
    {
        var options = new PkiOptions { PublicBaseUrl = BaseUrl, Inventory = { OwnerRules = [.. rules] } };
        return new LifecycleEvents(Options.Create(options), new OwnerRules(options.Inventory));
    }

    public static CertificateRecord Issued(string dnsName, string serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(IssuedAt.AddMinutes(-5), IssuedAt.AddDays(30));
        return new CertificateRecord(serial, CaId, CertificateStatus.Issued, ProfileNames.TlsServer, "alice@corp.internal", "CN=" + dnsName,
            IssuedAt.AddMinutes(-5), IssuedAt.AddDays(30), "req-1", IssuedAt, certificate.RawData, IssuedAt, 0);
    }

    public static CertificateRecord Revoked(CertificateRecord issued, DateTimeOffset at) =>
        issued with { Status = CertificateStatus.Revoked, RevokedAt = at, RevocationReason = RevocationReason.KeyCompromise };
}
