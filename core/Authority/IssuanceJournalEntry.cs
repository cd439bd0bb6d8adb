using System.Globalization;

namespace Pki.Core.Authority;

/// <summary>One issuance in flight: its reserved serial and when it was reserved (the record's CreatedAt).</summary>
public sealed record IssuanceJournalEntry(string SerialNumber, DateTimeOffset OpenedAt)
{
    public const string HourFormat = "yyyyMMddHH";

    public string Hour => HourOf(OpenedAt);

    /// <summary>The entry of a reserved or issued certificate.</summary>
    public static IssuanceJournalEntry Of(CertificateRecord record) => new(record.SerialNumber, record.CreatedAt);

    public static string HourOf(DateTimeOffset time) => time.UtcDateTime.ToString(HourFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset StartOf(string hour) =>
        new(DateTime.ParseExact(hour, HourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
}
