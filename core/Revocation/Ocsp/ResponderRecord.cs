using Pki.Core.Signing;

namespace Pki.Core.Revocation.Ocsp;

/// <summary>The current delegated responder of one CA; Version is the store's concurrency token.</summary>
public sealed record ResponderRecord(string IssuerId, byte[] CertificateDer, KeyUri KeyUri, DateTimeOffset NotAfter, string? Version = null);
