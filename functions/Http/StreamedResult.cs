using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Pki.Functions.Http;

/// <summary>
/// A 200 response whose body is written while it is produced (chunked, no Content-Length), for reports too large
/// to hold. Everything that can be refused must be refused before this result is returned: once the headers are
/// sent a failure cannot become a problem response, so the connection is aborted instead, and the client sees a
/// broken transfer rather than a complete-looking, truncated report.
/// </summary>
public sealed class StreamedResult(string contentType, string? fileName, Func<Stream, CancellationToken, Task<long>> write, ILogger logger) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var response = http.Response;
        var cancellationToken = http.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-store";
        if (fileName is not null)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        }

        // Hosts that buffer whole responses (IIS, some proxies in front of Functions) would defeat the point.
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            var rows = await write(response.Body, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Streamed {Rows} rows as {ContentType} for {Path}", rows, contentType, LogText.Escape(http.Request.Path.Value));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Client left while {Path} was being streamed", LogText.Escape(http.Request.Path.Value));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Streaming {Path} failed after the response started; aborting the connection", LogText.Escape(http.Request.Path.Value));
            http.Abort();
        }
    }
}
