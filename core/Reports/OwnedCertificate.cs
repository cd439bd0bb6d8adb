namespace Pki.Core.Reports;

/// <summary>A certificate as the ownership report lists it; owner and team only in its unowned section.</summary>
public sealed record OwnedCertificate(string Fingerprint, string Subject, string SerialNumber, DateTimeOffset NotAfter, string? Owner = null, string? Team = null);
