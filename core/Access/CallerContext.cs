namespace Pki.Core.Access;

/// <summary>
/// The caller of the operation in progress, flowing with the async call. The HTTP layer sets it after
/// authentication; timers and queue handlers run as <see cref="Caller.System"/>. Core services read it
/// for grants, approvals and the audit trail's "who".
/// </summary>
public sealed class CallerContext
{
    private static readonly AsyncLocal<Caller?> CurrentCaller = new();

    public Caller Current => CurrentCaller.Value ?? Caller.System;

    /// <summary>Makes <paramref name="caller"/> current until the returned scope is disposed.</summary>
    public IDisposable Enter(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var previous = CurrentCaller.Value;
        CurrentCaller.Value = caller;
        return new Scope(previous);
    }

    private sealed class Scope(Caller? previous) : IDisposable
    {
        public void Dispose() => CurrentCaller.Value = previous;
    }
}
