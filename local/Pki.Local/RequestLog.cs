using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Pki.Functions.Http;

namespace Pki.Local;

/// <summary>
/// The dev host's one line per request: what a request changed (POST, PUT, DELETE, with the Location it answered) or why
/// it was refused (any answer of 400 and up, with the problem's type and detail), at Information. A read that succeeds
/// writes nothing, so relying parties fetching OCSP responses and CRLs add no line at all. Everything else the service
/// logs while it answers (audit records, signatures, CRL publications) sits beneath the host's default levels.
/// </summary>
public sealed partial class RequestLog(ILogger<RequestLog> logger)
{
    private const string ProblemKey = "pki.local.problem";

    /// <summary>Notes the problem an answer carries, for the request's line; <see cref="FunctionEndpoint"/> calls it for every result it writes.</summary>
    public static void Note(HttpContext context, IActionResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (result is ContentResult { ContentType: ProblemResults.ContentType, Content: { } content })
        {
            try
            {
                using var problem = JsonDocument.Parse(content);
                var type = problem.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
                var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
                context.Items[ProblemKey] = $"{type?.Replace(ProblemResults.TypePrefix, string.Empty, StringComparison.Ordinal)}: {LogText.Escape(detail)}";
            }
            catch (JsonException)
            {
                // Every problem is written from ProblemResults; a body that does not parse is simply not quoted.
            }
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            Write(context, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Write(HttpContext context, TimeSpan elapsed)
    {
        var status = context.Response.StatusCode;
        var request = context.Request;
        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if ((status < StatusCodes.Status400BadRequest && !changes) || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var path = LogText.Escape(request.Path.Value);
        var ms = (long)elapsed.TotalMilliseconds;
        if (context.Items[ProblemKey] is string problem)
        {
            Refused(request.Method, path, status, problem, ms);
        }
        else if (context.Response.Headers.Location is { Count: 1 } location)
        {
            Created(request.Method, path, status, LogText.Escape(location.ToString()), ms);
        }
        else
        {
            Answered(request.Method, path, status, ms);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {Problem} ({DurationMs} ms)")]
    private partial void Refused(string method, string? path, int statusCode, string problem, long durationMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {Location} ({DurationMs} ms)")]
    private partial void Created(string method, string? path, int statusCode, string? location, long durationMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} ({DurationMs} ms)")]
    private partial void Answered(string method, string? path, int statusCode, long durationMs);
}
