using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Errors;
using Pki.Core.Storage;
using Pki.Functions.Http;

namespace Pki.Local.Events;

/// <summary>
/// The lifecycle events the local storage queue holds, for admins, without code of one's own: <c>GET /admin/events</c>
/// peeks at the oldest (they stay), <c>POST /admin/events/take</c> takes them off the queue as a subscriber would, so
/// that the next ones come into view. Both answer <c>{queue, approximateCount, events: [CloudEvent, …]}</c>, oldest
/// first, at most <c>max</c> (1 to 32, the most a queue hands out at once; default 32). Where events go to Service Bus
/// there is no local queue to read: 409.
/// </summary>
public static class EventsEndpoint
{
    public const string Route = "/admin/events";
    public const string TakeRoute = "/admin/events/take";

    /// <summary>The most messages a storage queue returns from one peek or receive.</summary>
    public const int MaxEvents = 32;

    // Long enough to delete what was received; a take that fails midway leaves the rest to reappear after it.
    private static readonly TimeSpan TakeVisibility = TimeSpan.FromSeconds(30);

    public static Task PeekAsync(HttpContext context) => ServeAsync(context, take: false);

    public static Task TakeAsync(HttpContext context) => ServeAsync(context, take: true);

    private static async Task ServeAsync(HttpContext context, bool take)
    {
        if (!await AdminEndpoint.AuthorizeAsync(context))
        {
            return;
        }

        try
        {
            var max = Max(context.Request);
            var queue = await LocalQueueAsync(context);
            var events = new JsonArray();
            if (take)
            {
                foreach (var message in (await queue.ReceiveMessagesAsync(max, TakeVisibility, context.RequestAborted)).Value)
                {
                    events.Add(Event(message.Body));
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, context.RequestAborted);
                }
            }
            else
            {
                foreach (var message in (await queue.PeekMessagesAsync(max, context.RequestAborted)).Value)
                {
                    events.Add(Event(message.Body));
                }
            }

            var count = (await queue.GetPropertiesAsync(context.RequestAborted)).Value.ApproximateMessagesCount;
            await context.Response.WriteAsJsonAsync(new { queue = QueueNames.LifecycleEvents, approximateCount = count, events }, Json.Options);
        }
        catch (ProblemException problem)
        {
            await FunctionEndpoint.ExecuteAsync(ProblemResults.From(problem, context.Request), context);
        }
    }

    private static int Max(HttpRequest request)
    {
        var text = request.Query["max"];
        if (text.Count == 0)
        {
            return MaxEvents;
        }

        return text.Count == 1 && int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= MaxEvents
            ? max
            : throw ProblemException.BadRequest("invalid-max", $"'max' must be one whole number from 1 to {MaxEvents}; got '{LogText.Escape(string.Join(",", text.ToArray()))}'.");
    }

    private static async Task<QueueClient> LocalQueueAsync(HttpContext context)
    {
        var events = context.RequestServices.GetRequiredService<IOptions<PkiOptions>>().Value.Events;
        if (events.UsesServiceBus)
        {
            throw new ProblemException(ProblemKind.Conflict, "events-not-local", "Events go to Service Bus",
                $"Lifecycle events go to the Service Bus topic '{events.Topic}' of {events.ServiceBusNamespace}, not to a local queue; read them from a subscription of that topic.");
        }

        return await context.RequestServices.GetRequiredService<QueueStorage>().GetQueueAsync(QueueNames.LifecycleEvents, context.RequestAborted);
    }

    /// <summary>The CloudEvent as its JSON; a body that is not JSON (nothing of ours writes one) as its text.</summary>
    private static JsonNode? Event(BinaryData body)
    {
        try
        {
            return JsonNode.Parse(body.ToMemory().Span);
        }
        catch (JsonException)
        {
            return JsonValue.Create(body.ToString());
        }
    }
}
