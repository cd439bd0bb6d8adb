using Pki.Core.Discovery.Scanning;

namespace Pki.Core.Discovery.Sweeps;

/// <summary>
/// One queue message of a sweep: a batch of endpoints, or one vault. The batch is fixed when the sweep is
/// planned, so a redelivered message scans the same endpoints and records under the same keys.
/// </summary>
public sealed record SweepBatch(string SweepId, int Batch, IReadOnlyList<ScannedEndpoint>? Endpoints, string? VaultUri);
