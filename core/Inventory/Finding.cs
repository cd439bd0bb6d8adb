namespace Pki.Core.Inventory;

/// <summary>One thing wrong with a certificate, or with how it is deployed at <paramref name="Location"/>.</summary>
public sealed record Finding(string Code, FindingSeverity Severity, string Message, string? Location = null);
