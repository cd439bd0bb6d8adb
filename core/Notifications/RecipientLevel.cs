using System.Text.Json.Serialization;

namespace Pki.Core.Notifications;

/// <summary>
/// Who a notice is for. Escalation climbs these levels (owner, then team, then admins) when a threshold passes
/// without action; deciding when to climb is the renewal planner's, which sends a <see cref="NoticeRequest"/> per level.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecipientLevel>))]
public enum RecipientLevel
{
    Owner,
    Team,
    Admins,
}
