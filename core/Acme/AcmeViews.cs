namespace Pki.Core.Acme;

/// <summary>The JSON objects of RFC 8555 §7.1 as this server writes them (camelCase, nulls left out, by the HTTP layer).</summary>
public static class AcmeViews
{
    public static object Account(AcmeAccount account, AcmeUrls urls) => new AccountBody(account.Status, account.Contact, urls.BaseUrl + "/" + AcmeRoutes.Account.Replace("{id}", account.Id, StringComparison.Ordinal) + "/orders");

    public static object Order(AcmeOrder order, string status, AcmeUrls urls) => new OrderBody(
        status,
        order.Expires,
        [.. order.Identifiers.Select(i => new IdentifierBody(i.Type, i.Value))],
        [.. order.AuthorizationIds.Select(urls.Authorization)],
        urls.Finalize(order.Id),
        status == AcmeStatus.Valid ? urls.Certificate(order.Id) : null,
        order.ErrorType is { } type ? new ErrorBody(AcmeErrors.Prefix + type, order.ErrorDetail ?? string.Empty) : null);

    public static object Authorization(AcmeAuthorization authorization, AcmeUrls urls) => new AuthorizationBody(
        authorization.Status,
        authorization.Expires,
        new IdentifierBody(authorization.Identifier.Type, authorization.Identifier.Value),
        [.. authorization.Challenges.Select(c => Challenge(authorization, c, urls))]);

    public static ChallengeBody Challenge(AcmeAuthorization authorization, AcmeChallenge challenge, AcmeUrls urls) => new(
        challenge.Type,
        urls.Challenge(authorization.Id, challenge.Type),
        challenge.Status,
        challenge.Token,
        challenge.Validated,
        challenge.ErrorType is { } type ? new ErrorBody(AcmeErrors.Prefix + type, challenge.ErrorDetail ?? string.Empty) : null);

    public sealed record AccountBody(string Status, IReadOnlyList<string> Contact, string Orders);

    public sealed record IdentifierBody(string Type, string Value);

    public sealed record ErrorBody(string Type, string Detail);

    public sealed record OrderBody(string Status, DateTimeOffset Expires, IReadOnlyList<IdentifierBody> Identifiers, IReadOnlyList<string> Authorizations, string Finalize, string? Certificate, ErrorBody? Error);

    public sealed record AuthorizationBody(string Status, DateTimeOffset Expires, IdentifierBody Identifier, IReadOnlyList<ChallengeBody> Challenges);

    public sealed record ChallengeBody(string Type, string Url, string Status, string Token, DateTimeOffset? Validated, ErrorBody? Error);
}
