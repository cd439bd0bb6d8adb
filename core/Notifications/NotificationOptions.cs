namespace Pki.Core.Notifications;

/// <summary>Notice thresholds, channels and addresses. Bound from <c>Pki:Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public static readonly IReadOnlyList<int> DefaultThresholdsDays = [30, 14, 7, 3, 1, 0];

    /// <summary>Days before expiry at which the planner sends a notice; 0 is on expiry. Default 30, 14, 7, 3, 1, 0.</summary>
    public int[]? ThresholdsDays { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    public TeamsOptions Teams { get; set; } = new();

    /// <summary>A team's mail addresses (separated by ; or ,), by team name as in the inventory.</summary>
    public Dictionary<string, string> TeamAddresses { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where escalations to admins go (separated by ; or ,).</summary>
    public string? AdminAddresses { get; set; }

    /// <summary>Days before today the first expiry-notice pass (no cursor stored yet) starts reading crossings from.</summary>
    public int InitialLookbackDays { get; set; } = 30;

    /// <summary>How long a send holds its claim on a notice before another message may take it over.</summary>
    public int ClaimMinutes { get; set; } = 10;

    public IReadOnlyList<int> Thresholds => ThresholdsDays is { Length: > 0 } days ? days.Distinct().OrderDescending().ToArray() : DefaultThresholdsDays;

    /// <summary>Splits a list setting into its addresses.</summary>
    public static IReadOnlyList<string> SplitAddresses(string? list) =>
        (list ?? string.Empty).Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
