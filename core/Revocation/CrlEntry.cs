using Pki.Core.Authority;
namespace Pki.Core.Revocation;

/// <summary>One line of a CRL: the serial's unsigned big-endian bytes, when, and why.</summary>
/// <remarks>The serial is a slice so that a caller holding a million entries can keep their serials in one array.</remarks>
public readonly record struct CrlEntry(ReadOnlyMemory<byte> Serial, DateTimeOffset RevokedAt, RevocationReason Reason);
