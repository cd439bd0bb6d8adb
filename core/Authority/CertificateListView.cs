namespace Pki.Core.Authority;

/// <summary>A page of <c>GET /api/certificates</c>; pass <see cref="ContinuationToken"/> back for the next.</summary>
public sealed record CertificateListView(IReadOnlyList<CertificateSummary> Items, string? ContinuationToken);
