using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pki.Core.Audit;

/// <summary>
/// The canonical encoding of an audit record and its hash. Version 1, in this order: the tag "pki-audit/1",
/// sequence (decimal), time (UTC, "yyyy-MM-ddTHH:mm:ss.fffZ"), actor id, actor team, actor authentication method,
/// action, outcome, problem type, request id, serial number, fingerprint, target id, detail, previous hash.
/// Each field is its UTF-8 bytes prefixed by their length as a 4-byte big-endian integer; an absent field is
/// the length 0xFFFFFFFF alone, so absent and empty differ and no field can run into the next.
/// The hash is the lowercase hex SHA-256 of that encoding.
/// </summary>
public static class AuditHash
{
    public const string Version = "pki-audit/1";
    private const uint Absent = uint.MaxValue;

    public static string Compute(AuditRecord record) => Convert.ToHexStringLower(SHA256.HashData(Canonical(record)));

    public static bool Matches(AuditRecord record) => string.Equals(Compute(record), record.Hash, StringComparison.Ordinal);

    public static byte[] Canonical(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in Fields(record))
        {
            if (field is null)
            {
                BinaryPrimitives.WriteUInt32BigEndian(length, Absent);
                buffer.Write(length);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }

    /// <summary>Record times are kept to the millisecond, as every store round-trips them exactly.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static IEnumerable<string?> Fields(AuditRecord r) =>
    [
        Version,
        r.Sequence.ToString(CultureInfo.InvariantCulture),
        FormatTime(r.Time),
        r.Actor.Id,
        r.Actor.Team,
        r.Actor.AuthenticationMethod,
        r.Action,
        r.Outcome,
        r.ProblemType,
        r.RequestId,
        r.SerialNumber,
        r.Fingerprint,
        r.TargetId,
        r.Detail,
        r.PreviousHash,
    ];
}
