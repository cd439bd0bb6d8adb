namespace Pki.Core.Health;

/// <summary>One CA's key: whether its store answered with the public key the CA certificate carries.</summary>
public sealed record CaKeyHealth(string CaId, string Role, string Provider, bool Reachable, string Detail);
