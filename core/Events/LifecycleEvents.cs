using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Inventory;

namespace Pki.Core.Events;

/// <summary>
/// Builds lifecycle events. Each event's id is a hash of its type, its certificate and the occurrence (the
/// serial's one issuance or revocation, a threshold, a sighting's location), so whoever builds the same event
/// again, after a crash or on a repeated request, builds the same id, and duplicate detection can drop it.
/// </summary>
public sealed class LifecycleEvents(IOptions<PkiOptions> options, OwnerRules ownerRules)
{
    private readonly string _baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');

    public CloudEvent Issued(CertificateRecord certificate) =>
        FromRecord(LifecycleEventTypes.Issued, certificate, certificate.IssuedAt ?? certificate.CreatedAt, occurrence: string.Empty);

    /// <param name="predecessorSerialNumber">The certificate the new one succeeds.</param>
    public CloudEvent Renewed(CertificateRecord successor, string predecessorSerialNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(predecessorSerialNumber);
        var e = FromRecord(LifecycleEventTypes.Renewed, successor, successor.IssuedAt ?? successor.CreatedAt, predecessorSerialNumber);
        return e with { Data = e.Data with { PredecessorSerialNumber = predecessorSerialNumber } };
    }

    public CloudEvent Revoked(CertificateRecord certificate)
    {
        if (certificate.RevokedAt is not { } revokedAt || certificate.RevocationReason is not { } reason)
        {
            throw new ArgumentException($"Certificate {certificate.SerialNumber} is not revoked.", nameof(certificate));
        }

        var e = FromRecord(LifecycleEventTypes.Revoked, certificate, revokedAt, occurrence: string.Empty);
        return e with { Data = e.Data with { Reason = RevocationReasons.Name(reason) } };
    }

    /// <param name="daysLeft">The threshold crossed: one event per certificate and threshold.</param>
    /// <param name="at">When the threshold was crossed (notAfter less the threshold).</param>
    public CloudEvent Expiring(CertificateRecord certificate, int daysLeft, DateTimeOffset at)
    {
        var e = FromRecord(LifecycleEventTypes.Expiring, certificate, at, daysLeft.ToString(CultureInfo.InvariantCulture));
        return e with { Data = e.Data with { DaysLeft = daysLeft } };
    }

    public CloudEvent Expired(CertificateRecord certificate) =>
        FromRecord(LifecycleEventTypes.Expired, certificate, certificate.NotAfter, occurrence: string.Empty);

    /// <summary>A certificate first seen at a location by discovery; its subject is the fingerprint.</summary>
    /// <param name="caId">Our CA that issued it, if one did.</param>
    public CloudEvent Discovered(CertificateFacts facts, string location, DateTimeOffset seenAt, string? owner, string? caId)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentException.ThrowIfNullOrEmpty(location);
        return new CloudEvent(
            Id(LifecycleEventTypes.Discovered, facts.Fingerprint, location),
            _baseUrl + "/" + Routes.Prefix + "/discovery",
            LifecycleEventTypes.Discovered,
            facts.Fingerprint,
            seenAt,
            Describe(facts) with { SerialNumber = caId is null ? null : facts.SerialNumber, Owner = owner, CaId = caId, Location = location });
    }

    /// <summary>
    /// An inventory item not issued here crossed a threshold: subject and id are its fingerprint (it may have no serial
    /// of ours), and source is the inventory. <paramref name="daysLeft"/> 0 builds the "expired" event.
    /// </summary>
    /// <param name="item">The certificate as the inventory holds it.</param>
    /// <param name="daysLeft">The threshold crossed; 0 is expiry.</param>
    public CloudEvent ExpiryOf(InventoryItem item, int daysLeft)
    {
        ArgumentNullException.ThrowIfNull(item);
        var expired = daysLeft == 0;
        var type = expired ? LifecycleEventTypes.Expired : LifecycleEventTypes.Expiring;
        return new CloudEvent(
            Id(type, item.Fingerprint, expired ? string.Empty : daysLeft.ToString(CultureInfo.InvariantCulture)),
            _baseUrl + "/" + Routes.Prefix + "/" + Routes.Inventory,
            type,
            item.Fingerprint,
            item.NotAfter.AddDays(-daysLeft),
            Describe(item) with { DaysLeft = expired ? null : daysLeft });
    }

    /// <summary>A certificate a sweep saw first, as the inventory recorded it (the same event and id as <see cref="Discovered(CertificateFacts, string, DateTimeOffset, string?, string?)"/>).</summary>
    public CloudEvent Discovered(InventoryItem item, string location)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrEmpty(location);
        return new CloudEvent(
            Id(LifecycleEventTypes.Discovered, item.Fingerprint, location),
            _baseUrl + "/" + Routes.Prefix + "/discovery",
            LifecycleEventTypes.Discovered,
            item.Fingerprint,
            item.FirstSeen,
            Describe(item) with { Location = location });
    }

    /// <summary>The deterministic event id: SHA-256 over type, subject and occurrence, 32 hex digits.</summary>
    public static string Id(string type, string subject, string occurrence) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{type}:{subject}:{occurrence}")))[..32];

    private CloudEvent FromRecord(string type, CertificateRecord certificate, DateTimeOffset time, string occurrence)
    {
        ArgumentNullException.ThrowIfNull(certificate);

        // Revocation times are whole seconds, issuance times are not: a certificate revoked within the second it was
        // issued would otherwise sort before its issuance in the outbox, whose order is event time.
        if (type != LifecycleEventTypes.Issued && certificate.IssuedAt is { } issuedAt && time <= issuedAt)
        {
            time = issuedAt.AddTicks(1);
        }

        var facts = certificate.CertificateDer is { } der ? CertificateFacts.Read(der) : null;
        var described = facts is null ? new LifecycleEventData { Subject = certificate.Subject } : Describe(facts);
        var data = described with
        {
            SerialNumber = certificate.SerialNumber,
            NotBefore = certificate.NotBefore,
            NotAfter = certificate.NotAfter,
            Owner = certificate.Owner,

            // The team it was issued for; a record from before teams keeps what the owner rules say, as the inventory does.
            Team = certificate.Team ?? described.Team,
            CaId = certificate.IssuerId,
            Profile = certificate.Profile,
        };
        return new CloudEvent(
            Id(type, certificate.SerialNumber, occurrence),
            $"{_baseUrl}/{Routes.Prefix}/{Routes.Authorities}/{certificate.IssuerId}",
            type,
            certificate.SerialNumber,
            time,
            data);
    }

    private static LifecycleEventData Describe(InventoryItem item) => new()
    {
        SerialNumber = item.IssuerCaId is null ? null : item.SerialNumber,
        Fingerprint = item.Fingerprint,
        Subject = item.Subject,
        DnsNames = item.DnsNames,
        NotBefore = item.NotBefore,
        NotAfter = item.NotAfter,
        Owner = item.Owner,
        Team = item.Team,
        CaId = item.IssuerCaId,
    };

    private LifecycleEventData Describe(CertificateFacts facts) => new()
    {
        Fingerprint = facts.Fingerprint,
        Subject = facts.Subject,
        DnsNames = facts.DnsNames,
        NotBefore = facts.NotBefore,
        NotAfter = facts.NotAfter,
        Team = ownerRules.Match(facts)?.Team,
    };
}
