namespace Pki.Core.Discovery.Sweeps;

/// <summary>A planned sweep: how many batches it was split into and how many endpoints and vaults they hold.</summary>
public sealed record SweepRecord(string Id, string Trigger, DateTimeOffset StartedAt, int Batches, int Endpoints, int Vaults)
{
    /// <summary>Every batch is on the queue. Sweeps recorded before this was kept count as queued.</summary>
    public bool Queued { get; init; } = true;

    /// <summary>Its start failed part-way: <see cref="Batches"/> is cut to those queued by then, and it blocks no other start.</summary>
    public bool Released { get; init; }
}
