using Pki.Core.Events;

namespace Pki.Tests.Integration.Events;

/// <summary>A publisher that records what it accepted and, while <see cref="Down"/>, fails like an unreachable bus.</summary>
public sealed class RecordingPublisher(ILifecycleEventPublisher? next = null) : ILifecycleEventPublisher
{
    private readonly List<CloudEvent> _published = [];

    public bool Down { get; set; }

    public int FailedAttempts { get; private set; }

    public IReadOnlyList<CloudEvent> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    public async Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken = default)
    {
        if (Down)
        {
            FailedAttempts++;
            throw new TimeoutException("The bus is down (test).");
        }

        if (next is not null)
        {
            await next.PublishAsync(events, cancellationToken);
        }

        lock (_published)
        {
            _published.AddRange(events);
        }
    }
}
