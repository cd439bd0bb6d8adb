namespace Pki.Core.Authority;

/// <summary>
/// The certificate was signed but storing it failed, or its outcome is unknown (the write may have landed).
/// A keyed request keeps its claim with the serial attached, so a retry returns the certificate if the
/// write did land, and issues anew only after the claim's lease has passed.
/// </summary>
public sealed class CertificateNotRecordedException(string serialNumber, Exception inner)
    : Exception($"Certificate {serialNumber} was signed but could not be recorded.", inner)
{
    public string SerialNumber { get; } = serialNumber;
}
