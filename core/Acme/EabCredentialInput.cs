namespace Pki.Core.Acme;

/// <summary>The admin's request for an EAB credential: the team its account will belong to, and optionally the owner its certificates name.</summary>
public sealed record EabCredentialInput(string? Team, string? Owner);
