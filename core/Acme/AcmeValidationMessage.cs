namespace Pki.Core.Acme;

/// <summary>One validation attempt of a challenge; <see cref="Attempt"/> lets a redelivered or stale message change nothing.</summary>
public sealed record AcmeValidationMessage(string AuthorizationId, string ChallengeType, int Attempt);
