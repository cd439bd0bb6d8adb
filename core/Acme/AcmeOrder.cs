namespace Pki.Core.Acme;

/// <summary>
/// An order. Its stored status is pending, processing, valid or invalid; "ready" is read off its authorizations
/// (all valid) when it is served, so no validation has to update the order.
/// </summary>
public sealed record AcmeOrder(
    string Id,
    string AccountId,
    string Status,
    IReadOnlyList<AcmeIdentifier> Identifiers,
    IReadOnlyList<string> AuthorizationIds,
    DateTimeOffset Expires,
    DateTimeOffset CreatedAt,
    string? CsrHash = null,
    string? SerialNumber = null,
    string? ErrorType = null,
    string? ErrorDetail = null,
    string? Replaces = null);
