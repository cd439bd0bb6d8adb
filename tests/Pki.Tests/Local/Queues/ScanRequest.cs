namespace Pki.Tests.Local.Queues;

/// <summary>A JSON queue message, as a discovery batch might carry one.</summary>
public sealed record ScanRequest(string Target, int Port, IReadOnlyList<string> Names);
