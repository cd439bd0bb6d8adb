namespace Pki.Core.Acme;

/// <summary>One challenge of an authorization, with each validation attempt's outcome counted and the last error kept.</summary>
public sealed record AcmeChallenge(string Type, string Token, string Status, int Attempts = 0, DateTimeOffset? Validated = null, string? ErrorType = null, string? ErrorDetail = null)
{
    public const string Http01 = "http-01";
}
