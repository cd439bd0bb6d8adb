namespace Pki.Core.Renewal;

/// <summary>
/// Due certificates of one day bucket, on the <c>renewal-batches</c> queue:
/// <c>{"day":"20261121","serialNumbers":["3f0a…","5b1c…"]}</c>. The fan-out turns it into one
/// <see cref="RenewalMessage"/> per serial; <see cref="Day"/> is there for the logs.
/// </summary>
public sealed record RenewalBatch(string? Day, IReadOnlyList<string?>? SerialNumbers)
{
    /// <summary>
    /// Serials per message. A serial issued here is 32 hex digits, 35 bytes in the JSON array, so 400 make about 19 KB
    /// once base64-encoded, under a third of a queue message's 64 KiB; even at the 64 digits a serial may have, 36 KB.
    /// </summary>
    public const int MaxSerials = 400;
}
