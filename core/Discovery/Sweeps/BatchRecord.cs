namespace Pki.Core.Discovery.Sweeps;

/// <summary>A finished batch: outcome counts (by <see cref="Scanning.ScanOutcome"/> name, or "keyvault"), certificates recorded, failures.</summary>
public sealed record BatchRecord(string SweepId, int Batch, DateTimeOffset CompletedAt, IReadOnlyDictionary<string, int> Outcomes, int Certificates, IReadOnlyList<ScanFailure> Failures);
