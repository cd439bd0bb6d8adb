namespace Pki.Core.Discovery.Sweeps;

/// <summary>An endpoint or vault that yielded no certificates, and why; reported with the sweep, never fatal to it.</summary>
public sealed record ScanFailure(string Location, string Outcome, string? Message);
