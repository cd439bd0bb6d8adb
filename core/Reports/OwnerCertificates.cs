namespace Pki.Core.Reports;

/// <summary>One owner (DRI) in a team and the certificates they answer for.</summary>
public sealed record OwnerCertificates(string Owner, int Count, IReadOnlyList<OwnedCertificate> Certificates);
