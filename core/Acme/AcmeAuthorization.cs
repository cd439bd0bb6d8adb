namespace Pki.Core.Acme;

/// <summary>An account's authorization for one identifier, made for one order (authorizations are not reused across orders).</summary>
public sealed record AcmeAuthorization(string Id, string AccountId, string OrderId, AcmeIdentifier Identifier, string Status, DateTimeOffset Expires, IReadOnlyList<AcmeChallenge> Challenges);
