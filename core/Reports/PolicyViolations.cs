using Pki.Core.Authority;
using Pki.Core.Inventory;

namespace Pki.Core.Reports;

/// <summary>
/// What our policy makes of one certificate, from its inventory item, its findings as read now, and for one of
/// ours its certificate record. No storage and no clock of its own, so each rule is tested alone.
/// CA certificates are exempt from the ownership and lifetime rules: an intermediate seen in a deployed chain
/// belongs to whoever runs that CA, and our own CAs' lifetimes are set at bootstrap.
/// </summary>
public sealed class PolicyViolations(ReportsOptions options, Func<string, int?> profileMaxValidityDays)
{
    public IReadOnlyList<PolicyViolation> Evaluate(InventoryItem item, IReadOnlyList<Finding> findings, CertificateRecord? record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(findings);
        var violations = new List<PolicyViolation>();
        void FromFinding(string findingCode, string code)
        {
            if (findings.FirstOrDefault(f => f.Code == findingCode) is { } finding)
            {
                violations.Add(new PolicyViolation(code, finding.Message));
            }
        }

        FromFinding(FindingCodes.WeakKey, ViolationCodes.WeakKey);
        FromFinding(FindingCodes.WeakSignature, ViolationCodes.WeakSignature);
        FromFinding(FindingCodes.SelfSigned, ViolationCodes.SelfSignedLeaf);
        FromFinding(FindingCodes.Untrusted, ViolationCodes.UntrustedChain);

        if (!item.IsCa && Lifetime(item, record) is { } lifetime)
        {
            violations.Add(lifetime);
        }

        if (!item.IsCa && string.IsNullOrWhiteSpace(item.Owner))
        {
            violations.Add(new PolicyViolation(ViolationCodes.NoOwner, "No owner (DRI) is recorded; set one with PUT /api/inventory/{fingerprint}/owner or an owner rule."));
        }

        if (!item.IsCa && string.IsNullOrWhiteSpace(item.Team))
        {
            violations.Add(new PolicyViolation(ViolationCodes.NoTeam, "No team is recorded; set one with PUT /api/inventory/{fingerprint}/owner or an owner rule."));
        }

        // "In use" means seen at a TLS endpoint or in a Key Vault after the moment it stopped being valid.
        var deployed = (item.Sources & (InventorySources.Endpoint | InventorySources.KeyVault)) != 0;
        if (deployed && item.NotAfter < now && item.LastSeen > item.NotAfter)
        {
            violations.Add(new PolicyViolation(ViolationCodes.ExpiredInUse,
                $"Expired on {item.NotAfter:yyyy-MM-dd HH:mm} UTC but still seen deployed on {item.LastSeen:yyyy-MM-dd HH:mm} UTC."));
        }

        var revoked = item.Revoked || record?.Status == CertificateStatus.Revoked;
        var revokedAt = record?.RevokedAt;
        if (deployed && revoked && (revokedAt is not { } at || item.LastSeen >= at))
        {
            violations.Add(new PolicyViolation(ViolationCodes.RevokedInUse,
                $"Revoked{(revokedAt is { } r ? $" on {r:yyyy-MM-dd HH:mm} UTC" : string.Empty)} but still seen deployed on {item.LastSeen:yyyy-MM-dd HH:mm} UTC."));
        }

        return violations;
    }

    private PolicyViolation? Lifetime(InventoryItem item, CertificateRecord? record)
    {
        var days = (item.NotAfter - item.NotBefore).TotalDays;
        if (record is not null)
        {
            // Ours: the profile's maximum as configured now (issuance capped it then; a later, stricter policy shows here).
            return profileMaxValidityDays(record.Profile) is { } max && days > max
                ? new PolicyViolation(ViolationCodes.LifetimeExceedsPolicy, $"Valid for {Math.Round(days, 1)} days; profile '{record.Profile}' allows at most {max}.")
                : null;
        }

        return item.IssuerCaId is null && days > options.MaxDiscoveredLeafLifetimeDays
            ? new PolicyViolation(ViolationCodes.LifetimeExceedsPolicy, $"Valid for {Math.Round(days, 1)} days; a leaf certificate may be valid for at most {options.MaxDiscoveredLeafLifetimeDays}.")
            : null;
    }
}
