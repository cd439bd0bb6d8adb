using System.Text.Json.Serialization;

namespace Pki.Core.Notifications;

/// <summary>
/// One notice as the channels render it: the certificate, where it is deployed, how long it has left, who owns it,
/// and <see cref="Link"/> to its inventory item's dashboard page (<c>{PublicBaseUrl}/api/dashboard/#/inventory/{fingerprint}</c>).
/// </summary>
public sealed record Notice(
    string Fingerprint,
    string SerialNumber,
    string Subject,
    IReadOnlyList<string> DnsNames,
    string Issuer,
    DateTimeOffset NotAfter,
    int DaysLeft,
    int ThresholdDays,
    IReadOnlyList<string> Locations,
    string? Owner,
    string? Team,
    RecipientLevel Level,
    Uri Link,
    bool Expired)
{
    /// <summary>Whole days from <paramref name="now"/> to <paramref name="notAfter"/>, as <see cref="DaysToExpiry"/> counts them everywhere.</summary>
    public static int DaysUntil(DateTimeOffset notAfter, DateTimeOffset now) => DaysToExpiry.Of(notAfter, now);

    /// <summary>The same notice as seen at <paramref name="now"/>.</summary>
    public Notice At(DateTimeOffset now) => this with { DaysLeft = DaysUntil(NotAfter, now), Expired = NotAfter <= now };

    /// <summary>The name people know the certificate by: its first DNS name, else its subject.</summary>
    [JsonIgnore]
    public string DisplayName => DnsNames.Count > 0 ? DnsNames[0] : Subject;

    /// <summary>"expires in 7 days", "expires within a day", "expired 2 days ago".</summary>
    [JsonIgnore]
    public string DaysLeftText => (Expired, DaysLeft) switch
    {
        (false, > 1) => $"expires in {DaysLeft} days",
        (false, 1) => "expires in 1 day",
        (false, _) => "expires within a day",
        (true, 0) => "expired today",
        (true, -1) => "expired 1 day ago",
        (true, _) => $"expired {-DaysLeft} days ago",
    };

    [JsonIgnore]
    public string LocationsText => Locations.Count == 0 ? "no known deployment" : string.Join(", ", Locations);
}
