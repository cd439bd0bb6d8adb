using Pki.Core.Events;

namespace Pki.Tests.Integration.Events;

/// <summary>A bus that accepts events only when the test opens its gate, once per publish, and records them: a slow dispatch pass.</summary>
public sealed class GatedPublisher : ILifecycleEventPublisher
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RecordingPublisher _recorded = new();

    public SemaphoreSlim Gate { get; } = new(0);

    /// <summary>Completes when the first publish has begun and waits at the gate.</summary>
    public Task Entered => _entered.Task;

    public IReadOnlyList<CloudEvent> Published => _recorded.Published;

    public async Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken = default)
    {
        _entered.TrySetResult();
        await Gate.WaitAsync(cancellationToken);
        await _recorded.PublishAsync(events, cancellationToken);
    }
}
