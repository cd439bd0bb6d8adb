namespace Pki.Core.Discovery.Sweeps;

/// <summary>A planned sweep: how many batches it was split into and how many endpoints and vaults they hold.</summary>
public sealed record SweepRecord(string Id, string Trigger, DateTimeOffset StartedAt, int Batches, int Endpoints, int Vaults);
