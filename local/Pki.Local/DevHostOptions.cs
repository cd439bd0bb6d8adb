namespace Pki.Local;

/// <summary>Settings of the dev host itself, from the DevHost section (DevHost__DisableTimers=true in the environment).</summary>
public sealed class DevHostOptions
{
    public const string Section = "DevHost";

    /// <summary>No scheduled or RunOnStartup runs; POST /admin/functions/{name} still runs a timer function by hand.</summary>
    public bool DisableTimers { get; set; }
}
