namespace Pki.Tests.Local.Queues;

/// <summary>One start of a test queue function: what it was given, with which token, on which instance.</summary>
public sealed record QueueRun(string Function, object? Payload, long DequeueCount, string MessageId, CancellationToken Token, object Instance);
