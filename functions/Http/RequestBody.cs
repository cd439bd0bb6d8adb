using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>Reads a JSON body with a size bound, before any of it is parsed.</summary>
public static class RequestBody
{
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, Json.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(ProblemKind.UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                $"Send the request as {Json.ContentType}; got '{mediaType ?? "no Content-Type"}'.");
        }

        var bytes = await TryReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false) ?? throw TooLarge(maxBytes);
        if (bytes.Length == 0)
        {
            throw ProblemException.BadRequest("empty-body", "The request body is empty; send a JSON object.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json.Options)
                ?? throw ProblemException.BadRequest("invalid-json", "The request body is JSON null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? string.Empty : $" at {e.Path}";
            throw ProblemException.BadRequest("invalid-json", $"The request body is not the expected JSON{where} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }

    /// <summary>The raw body, or null when it is longer than <paramref name="maxBytes"/> (it is not read further).</summary>
    public static async Task<byte[]?> TryReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(16 * 1024, maxBytes + 1)];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // The client's fault (a body shorter than its Content-Length, too slow, or a connection dropped mid-body),
            // answered as such, never a 500 with a stack trace in the log.
            throw ProblemException.BadRequest("incomplete-body", "The request body ended early or arrived too slowly; send the whole body again.");
        }

        return buffer.ToArray();
    }

    private static ProblemException TooLarge(int maxBytes) =>
        new(ProblemKind.PayloadTooLarge, "payload-too-large", "Payload too large", $"The request body exceeds {maxBytes} bytes.");
}
