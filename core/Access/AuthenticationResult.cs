namespace Pki.Core.Access;

/// <summary>What one authenticator made of a request: nothing of its kind, a caller, or a refusal with its reason.</summary>
public sealed record AuthenticationResult(Caller? Caller, string? Failure)
{
    public static AuthenticationResult None { get; } = new(null, null);

    public static AuthenticationResult Success(Caller caller) => new(caller, null);

    public static AuthenticationResult Fail(string reason) => new(null, reason);

    public bool Presented => Caller is not null || Failure is not null;
}
