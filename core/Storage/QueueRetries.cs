namespace Pki.Core.Storage;

/// <summary>
/// How the queue triggers retry, the one place a handler learns its message is on its last try: a handler that throws
/// gets the message again, up to host.json's extensions.queues.maxDequeueCount tries, after which the Functions host
/// (and the dev host) moves it to the queue's "-poison" queue. Handlers log or record that move once, on the last try.
/// </summary>
public static class QueueRetries
{
    /// <summary>Tries of a message before the host moves it to its poison queue: host.json's maxDequeueCount (a test holds them equal).</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>Whether try <paramref name="dequeueCount"/> is the last one before the poison queue.</summary>
    public static bool IsLastTry(long dequeueCount) => dequeueCount >= MaxDequeueCount;

    /// <summary>
    /// Whether <paramref name="failure"/> on try <paramref name="dequeueCount"/> sends the message to its poison queue:
    /// the last try, and not a cancellation (a stopping host leaves the message for another try).
    /// </summary>
    public static bool MovesToPoison(long dequeueCount, Exception failure) =>
        IsLastTry(dequeueCount) && failure is not OperationCanceledException;
}
