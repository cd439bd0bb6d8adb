using System.Text.Json.Nodes;

namespace Pki.Core.Notifications;

/// <summary>
/// The body a Teams Workflows webhook ("When a Teams webhook request is received") takes: a message with one
/// Adaptive Card attachment. Version 1.4: Teams renders up to 1.5, and 1.4 has everything used here.
/// </summary>
public static class TeamsCard
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";
    public const string Version = "1.4";

    public static JsonObject ForNotice(Notice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = Version,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
            ["body"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["size"] = "Large",
                    ["weight"] = "Bolder",
                    ["wrap"] = true,
                    ["color"] = notice.DaysLeft <= 7 ? "Attention" : "Warning",
                    ["text"] = $"Certificate {notice.DisplayName} {notice.DaysLeftText}",
                },
                new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["wrap"] = true,
                    ["isSubtle"] = true,
                    ["text"] = $"Deployed at {notice.LocationsText}",
                },
                new JsonObject
                {
                    ["type"] = "FactSet",
                    ["facts"] = new JsonArray(NoticeEmail.Facts(notice)
                        .Select(f => (JsonNode)new JsonObject { ["title"] = f.Name, ["value"] = f.Value })
                        .ToArray()),
                }),
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Action.OpenUrl",
                ["title"] = "Open in the inventory",
                ["url"] = notice.Link.AbsoluteUri,
            }),
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = AdaptiveCardContentType,
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
    }
}
