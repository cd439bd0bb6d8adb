namespace Pki.Core.Acme;

/// <summary>A stored record with the version (ETag) a conditional write of it must match.</summary>
public sealed record Versioned<T>(T Value, string Version);
