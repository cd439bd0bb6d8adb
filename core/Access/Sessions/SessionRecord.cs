namespace Pki.Core.Access.Sessions;

/// <summary>
/// A dashboard session as stored: addressed by the SHA-256 of its id (the cookie's secret is never stored), naming the
/// API key it was opened with by that key's SHA-256, as configuration holds it. The caller is resolved from the key on
/// every request, so a key removed or re-roled takes its sessions with it.
/// </summary>
public sealed record SessionRecord(string IdHash, string KeyHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
