namespace Pki.Core.Acme;

/// <summary>Checks one challenge type against the identifier's server.</summary>
public interface IChallengeValidator
{
    string Type { get; }

    Task<AcmeValidationResult> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken = default);
}
