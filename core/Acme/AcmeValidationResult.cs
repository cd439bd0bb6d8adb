namespace Pki.Core.Acme;

/// <summary>One attempt's verdict: valid, or the ACME error type (connection, incorrectResponse…) and what was seen.</summary>
public sealed record AcmeValidationResult(bool Valid, string? ErrorType = null, string? Detail = null)
{
    public static AcmeValidationResult Success { get; } = new(true);

    public static AcmeValidationResult Failure(string type, string detail) => new(false, type, detail);
}
