namespace Pki.Core.Health;

/// <summary>
/// The OCSP self-check for one issuing CA: a request for a serial this CA never issued, through the responder itself;
/// ok when the answer is a successful response whose signature verifies under the CA and says <c>unknown</c>.
/// </summary>
public sealed record OcspHealth(string CaId, bool Ok, string Detail, DateTimeOffset CheckedAt);
