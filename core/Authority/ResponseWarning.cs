namespace Pki.Core.Authority;

/// <summary>Something the answer must say about how a request was met, where it was not met as asked (it was not refused).</summary>
public sealed record ResponseWarning(string Code, string Detail);
