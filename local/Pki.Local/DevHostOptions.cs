namespace Pki.Local;

/// <summary>Settings of the dev host itself, from the DevHost section (DevHost__DisableTimers=true, DevHost__DisableQueues=true in the environment).</summary>
public sealed class DevHostOptions
{
    public const string Section = "DevHost";

    /// <summary>No scheduled or RunOnStartup runs; POST /admin/functions/{name} still runs a timer function by hand.</summary>
    public bool DisableTimers { get; set; }

    /// <summary>No queue listeners: queue functions do not run, and their queues are neither created nor polled.</summary>
    public bool DisableQueues { get; set; }

    /// <summary>
    /// Names (DNS or IP) of the HTTPS certificate our CA issues the dev host when it serves an https:// URL; replaced,
    /// not merged, by configuration (DevHost__TlsNames__0=pki.test); <see cref="DefaultTlsNames"/> when empty.
    /// </summary>
    public List<string> TlsNames { get; set; } = [];

    public static readonly string[] DefaultTlsNames = ["127.0.0.1", "::1"];

    /// <summary>The team and owner that certificate is recorded under.</summary>
    public string TlsTeam { get; set; } = "platform";

    public string TlsOwner { get; set; } = "dev-host";
}
