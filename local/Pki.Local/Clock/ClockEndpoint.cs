using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Errors;
using Pki.Functions.Http;

namespace Pki.Local.Clock;

/// <summary>
/// The dev host's clock, for admins: <c>GET /admin/clock</c> reads it, <c>POST /admin/clock</c> with
/// <c>{"advance": "P30D"}</c> (an ISO 8601 duration) or <c>{"to": "2027-01-13T08:00:00Z"}</c> moves it forward. Both
/// answer <c>{now, offset}</c>. Timers whose occurrence a move passed run at once (see <see cref="DevClock"/>). The
/// Functions host has nothing of the kind: its clock is the system's.
/// </summary>
public static class ClockEndpoint
{
    public const string Route = "/admin/clock";

    private const int MaxBodyBytes = 4096;

    public static async Task GetAsync(HttpContext context)
    {
        if (await AdminEndpoint.AuthorizeAsync(context))
        {
            await WriteAsync(context, context.RequestServices.GetRequiredService<DevClockControl>().Read());
        }
    }

    public static async Task PostAsync(HttpContext context)
    {
        if (!await AdminEndpoint.AuthorizeAsync(context))
        {
            return;
        }

        try
        {
            var move = await RequestBody.ReadJsonAsync<ClockMove>(context.Request, MaxBodyBytes, context.RequestAborted);
            var control = context.RequestServices.GetRequiredService<DevClockControl>();
            var reading = (move.Advance, move.To) switch
            {
                ({ } advance, null) => await control.AdvanceAsync(ParseDuration(advance), context.RequestAborted),
                (null, { } to) => await control.AdvanceToAsync(ParseMoment(to), context.RequestAborted),
                _ => throw ProblemException.BadRequest("invalid-clock-move",
                    "Send exactly one of 'advance' (an ISO 8601 duration such as \"P30D\" or \"PT2H\") and 'to' (a time with an offset, such as \"2027-01-13T08:00:00Z\")."),
            };
            await WriteAsync(context, reading);
        }
        catch (ProblemException problem)
        {
            await FunctionEndpoint.ExecuteAsync(ProblemResults.From(problem, context.Request), context);
        }
    }

    private static TimeSpan ParseDuration(string text) =>
        IsoDuration.TryParse(text, out var duration)
            ? duration
            : throw ProblemException.BadRequest("invalid-duration",
                $"'advance' must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as \"P30D\", \"PT2H\" or \"P1DT12H\"; got '{LogText.Escape(text)}'.");

    // An offset is required: a bare local time names another instant on every machine.
    private static DateTimeOffset ParseMoment(string text) =>
        text.Length is > 10 and <= 40 && (text.EndsWith('Z') || text.EndsWith('z') || (text[^6] is '+' or '-' && text[^3] == ':'))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var moment)
            ? moment
            : throw ProblemException.BadRequest("invalid-time", $"'to' must be an ISO 8601 time with Z or an offset, such as \"2027-01-13T08:00:00Z\"; got '{LogText.Escape(text)}'.");

    private static Task WriteAsync(HttpContext context, ClockReading reading) =>
        context.Response.WriteAsJsonAsync(new { now = reading.Now, offset = IsoDuration.Format(reading.Offset) }, Json.Options);

    /// <summary>The body of a move; <c>to</c> must carry its offset (a time without one names another instant on every machine).</summary>
    private sealed record ClockMove(string? Advance, string? To);
}
