namespace Pki.Core.Discovery.Sweeps;

/// <summary>A sweep's progress as the API shows it; <see cref="Failures"/> holds the first 1000 of <see cref="FailureCount"/>; <see cref="Released"/> when its start failed part-way.</summary>
public sealed record SweepView(
    string Id,
    string Trigger,
    DateTimeOffset StartedAt,
    int Batches,
    int BatchesDone,
    int Endpoints,
    int Vaults,
    bool Complete,
    DateTimeOffset? CompletedAt,
    int Certificates,
    IReadOnlyDictionary<string, int> Outcomes,
    int FailureCount,
    IReadOnlyList<ScanFailure> Failures,
    bool Released);
