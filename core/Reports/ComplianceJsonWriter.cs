using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pki.Core.Reports;

/// <summary>
/// Writes the compliance report as one JSON object, <c>{generatedAt, filter, items: [...], count}</c>, row by row
/// with a <see cref="Utf8JsonWriter"/> and flushed page by page: the array is never built in memory. Absent values
/// are written as null so every item has the same keys. The writer fills a buffer that is copied to the stream
/// asynchronously after each page: the serializer flushes synchronously, which HTTP servers refuse on a response.
/// </summary>
public static class ComplianceJsonWriter
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // A report is data for tools, never HTML: keep '+' and '<' in subjects readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<long> WriteAsync(ComplianceReport report, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder });
        async Task SendAsync()
        {
            writer.Flush();
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }

        writer.WriteStartObject();
        writer.WriteString("generatedAt", report.GeneratedAt);
        writer.WritePropertyName("filter");
        JsonSerializer.Serialize(writer, report.Filter, Options);
        writer.WriteStartArray("items");
        await SendAsync().ConfigureAwait(false);
        long count = 0;
        await foreach (var page in report.Pages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in page)
            {
                JsonSerializer.Serialize(writer, row, Options);
                count++;
            }

            await SendAsync().ConfigureAwait(false);
        }

        writer.WriteEndArray();
        writer.WriteNumber("count", count);
        writer.WriteEndObject();
        await SendAsync().ConfigureAwait(false);
        return count;
    }
}
