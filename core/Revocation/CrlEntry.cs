namespace Pki.Core.Revocation;

/// <summary>One line of a CRL: the serial's unsigned big-endian bytes, when, and why.</summary>
public readonly record struct CrlEntry(byte[] Serial, DateTimeOffset RevokedAt, RevocationReason Reason);
