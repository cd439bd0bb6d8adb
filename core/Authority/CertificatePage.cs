namespace Pki.Core.Authority;

/// <summary>One page of certificate records; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record CertificatePage(IReadOnlyList<CertificateRecord> Records, string? ContinuationToken);
