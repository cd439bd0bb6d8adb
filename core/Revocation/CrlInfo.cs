namespace Pki.Core.Revocation;

/// <summary>What is known of a published CRL without reading it.</summary>
/// <param name="CoversUntil">Every revocation committed before this time is in the CRL (or its base).</param>
public sealed record CrlInfo(
    long CrlNumber,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    DateTimeOffset CoversUntil,
    int Entries,
    long? BaseCrlNumber,
    long Length);
