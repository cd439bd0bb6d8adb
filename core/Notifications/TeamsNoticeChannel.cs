using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Pki.Core.Notifications;

/// <summary>Posts a notice as an Adaptive Card to the Workflows webhook of its level; anything but 2xx is a failed delivery.</summary>
public sealed class TeamsNoticeChannel(HttpClient http, NoticeRecipients recipients, IOptions<PkiOptions> options) : INoticeChannel
{
    public const string ChannelName = "teams";

    public string Name => ChannelName;

    public bool IsConfigured => options.Value.Notifications.Teams.IsConfigured;

    public async Task<bool> SendAsync(Notice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (recipients.TeamsWebhook(notice.Level, notice.Team) is not { } webhook)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.Notifications.Teams.TimeoutSeconds));
        HttpResponseMessage response;
        try
        {
            // Sent with its length, not chunked (as PostAsJsonAsync streams it): a webhook behind a proxy that refuses chunked
            // request bodies, or one that reads Content-Length, gets the card whole.
            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(TeamsCard.ForNotice(notice)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            response = await http.PostAsync(webhook, content, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The URL holds the workflow's signature: never log or report it whole.
            throw new NoticeDeliveryException($"The Teams webhook at {webhook.Host} could not be reached: {e.Message}", e) { Channel = ChannelName };
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new NoticeDeliveryException($"The Teams webhook at {webhook.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}.") { Channel = ChannelName };
            }
        }

        return true;
    }
}
