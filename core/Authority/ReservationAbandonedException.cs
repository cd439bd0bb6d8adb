namespace Pki.Core.Authority;

/// <summary>
/// The certificate was signed after a retry with the same Idempotency-Key abandoned its reservation (the request
/// was presumed dead). It is kept in storage and never issued; the retry's result stands.
/// </summary>
public sealed class ReservationAbandonedException(string serialNumber)
    : Exception($"Certificate {serialNumber} was signed after its reservation was abandoned; it is not issued.")
{
    public string SerialNumber { get; } = serialNumber;
}
