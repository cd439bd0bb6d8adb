using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Acme;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>
/// Wraps each ACME function: reads the JWS body (bounded, application/jose+json), works out the URL the client used
/// (X-Forwarded-Proto/Host honoured behind a front door), runs the one core call, and writes the answer. Every answer,
/// errors included, carries a fresh Replay-Nonce, the directory as its index link and no-store; every error is an
/// RFC 8555 §6.7 problem document (urn:ietf:params:acme:error:…).
/// </summary>
public sealed class AcmeHttp(AcmeDirectoryService directory, IOptions<PkiOptions> options)
{
    public const string ReplayNonceHeader = "Replay-Nonce";
    public const string JoseContentType = "application/jose+json";

    /// <summary>An ACME POST: a JWS body for <paramref name="action"/>.</summary>
    public Task<IActionResult> PostAsync(HttpRequest request, ILogger logger, Func<AcmePost, CancellationToken, Task<AcmeResponse>> action) =>
        RunAsync(request, logger, async () =>
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            if (!string.Equals(mediaType, JoseContentType, StringComparison.OrdinalIgnoreCase))
            {
                throw new AcmeProblemException(ProblemKind.UnsupportedMediaType, AcmeErrors.Malformed, $"Send ACME requests as {JoseContentType}; got '{mediaType ?? "no Content-Type"}'.");
            }

            var body = await RequestBody.TryReadAsync(request, options.Value.MaxRequestBytes, request.HttpContext.RequestAborted)
                ?? throw new AcmeProblemException(ProblemKind.PayloadTooLarge, AcmeErrors.Malformed, $"The request body exceeds {options.Value.MaxRequestBytes} bytes.");
            return await action(new AcmePost(RequestUrl(request), BaseUrl(request), body), request.HttpContext.RequestAborted);
        });

    /// <summary>Any ACME call; <paramref name="action"/>'s answer or refusal gets the common headers.</summary>
    public async Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Func<Task<AcmeResponse>> action)
    {
        var response = request.HttpContext.Response;
        IActionResult result;
        try
        {
            var answer = await action();
            result = Write(answer, response);
        }
        catch (AcmeProblemException problem)
        {
            logger.LogInformation("Refused ACME {Method} {Path}: {AcmeType} {Detail}", request.Method, LogText.Escape(request.Path.Value), problem.AcmeType, LogText.Escape(problem.Detail));
            result = Problem(problem, request);
        }
        catch (ProblemException problem)
        {
            logger.LogInformation("Refused ACME {Method} {Path}: {ProblemType} {Detail}", request.Method, LogText.Escape(request.Path.Value), problem.Type, LogText.Escape(problem.Detail));
            result = Problem(AcmeProblemException.From(problem), request);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return new StatusCodeResult(499);
        }
        catch (Exception e)
        {
            var errorId = Guid.NewGuid().ToString("N");
            logger.LogError(e, "Unhandled error {ErrorId} in ACME {Method} {Path}", errorId, request.Method, LogText.Escape(request.Path.Value));
            result = Problem(AcmeErrors.ServerInternal, $"The service failed unexpectedly; quote error id {errorId} when reporting it.", StatusCodes.Status500InternalServerError, request);
        }

        await AddCommonHeadersAsync(request, logger);
        return result;
    }

    /// <summary>The absolute URL of this request as the client addressed it, without the query.</summary>
    public static string RequestUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Origin(request) + request.PathBase.Value + request.Path.Value;
    }

    /// <summary>The base the server's ACME URLs are built on: the client's origin and the route prefix.</summary>
    public static string BaseUrl(HttpRequest request) => Origin(request) + request.PathBase.Value + "/" + Routes.Prefix;

    private static string Origin(HttpRequest request)
    {
        var proto = First(request.Headers["X-Forwarded-Proto"]) ?? request.Scheme;
        var host = First(request.Headers["X-Forwarded-Host"]) ?? request.Host.Value;
        return proto.ToLowerInvariant() + "://" + host;
    }

    private static string? First(Microsoft.Extensions.Primitives.StringValues values)
    {
        var text = values.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var first = text.Split(',')[0].Trim();
        return first.Length is > 0 and <= 255 && !first.Any(c => char.IsControl(c) || c is '/' or '\\' or '@' or ' ') ? first : null;
    }

    private async Task AddCommonHeadersAsync(HttpRequest request, ILogger logger)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Append("Link", $"<{new AcmeUrls(BaseUrl(request)).Directory}>;rel=\"index\"");
        try
        {
            headers[ReplayNonceHeader] = await directory.NewNonceAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The answer stands without a nonce; the client asks newNonce for one.
            logger.LogWarning(e, "Could not issue a Replay-Nonce for ACME {Path}", LogText.Escape(request.Path.Value));
        }
    }

    private static IActionResult Write(AcmeResponse answer, HttpResponse response)
    {
        if (answer.Location is { } location)
        {
            response.Headers.Location = location;
        }

        foreach (var link in answer.Links ?? [])
        {
            response.Headers.Append("Link", link);
        }

        if (answer.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (answer.Pem is { } pem)
        {
            return new ContentResult { StatusCode = answer.Status, ContentType = AcmeResponse.PemContentType, Content = pem };
        }

        return answer.Body is null ? new StatusCodeResult(answer.Status) : Json.Result(answer.Body, answer.Status);
    }

    private static IActionResult Problem(AcmeProblemException problem, HttpRequest request)
    {
        if (problem.RetryAfter is { } wait)
        {
            request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (problem.Location is { } location)
        {
            request.HttpContext.Response.Headers.Location = location;
        }

        return Problem(problem.AcmeType, problem.Detail, ProblemResults.StatusCode(problem.Kind), request);
    }

    private static ContentResult Problem(string acmeType, string detail, int status, HttpRequest request) => new()
    {
        StatusCode = status,
        ContentType = ProblemResults.ContentType,
        Content = JsonSerializer.Serialize(new AcmeProblemBody(AcmeErrors.Prefix + acmeType, detail, status, request.Path.Value), Json.Options),
    };

    private sealed record AcmeProblemBody(string Type, string Detail, int Status, string? Instance);
}
