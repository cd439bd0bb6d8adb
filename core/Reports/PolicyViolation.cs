namespace Pki.Core.Reports;

/// <summary>One way a certificate breaks our policy: a code from <see cref="ViolationCodes"/> and what to fix.</summary>
public sealed record PolicyViolation(string Code, string Message);
