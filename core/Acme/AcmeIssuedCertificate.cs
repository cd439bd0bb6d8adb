namespace Pki.Core.Acme;

/// <summary>Which account's order a certificate was issued for.</summary>
public sealed record AcmeIssuedCertificate(string SerialNumber, string AccountId, string OrderId);
