namespace Pki.Core.Acme;

/// <summary>
/// An External Account Binding credential: the key id a client presents, the team (and owner) an account bound with it
/// belongs to, and its HMAC key only in wrapped form (<see cref="EabKeyWrap"/>). It binds one account: once
/// <see cref="AccountId"/> is set it is spent.
/// </summary>
public sealed record EabCredential(
    string Kid,
    string Team,
    string? Owner,
    string WrappedKey,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? AccountId = null,
    DateTimeOffset? BoundAt = null,
    DateTimeOffset? RevokedAt = null);
