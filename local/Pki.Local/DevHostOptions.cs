namespace Pki.Local;

/// <summary>Settings of the dev host itself, from the DevHost section (DevHost__DisableTimers=true, DevHost__DisableQueues=true in the environment).</summary>
public sealed class DevHostOptions
{
    public const string Section = "DevHost";

    /// <summary>No scheduled or RunOnStartup runs; POST /admin/functions/{name} still runs a timer function by hand.</summary>
    public bool DisableTimers { get; set; }

    /// <summary>No queue listeners: queue functions do not run, and their queues are neither created nor polled.</summary>
    public bool DisableQueues { get; set; }
}
