namespace Pki.Core.Notifications;

/// <summary>Teams channels reached through Workflows webhooks. Bound from <c>Pki:Notifications:Teams</c>.</summary>
public sealed class TeamsOptions
{
    /// <summary>The default channel's "When a Teams webhook request is received" URL; admins' notices go here.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>A team's own channel, by team name as in the inventory; owner and team notices of that team go there.</summary>
    public Dictionary<string, string> TeamWebhooks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public int TimeoutSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(WebhookUrl) || TeamWebhooks.Count > 0;
}
