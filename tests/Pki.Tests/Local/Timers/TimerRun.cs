using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>One start of a test timer function: what it was given, when, on which instance, and the how-manyth run it was.</summary>
public sealed record TimerRun(string Function, TimerInfo Timer, DateTimeOffset At, object Instance, int Number);
