using System.Net.Http.Json;
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
            response = await http.PostAsJsonAsync(webhook, TeamsCard.ForNotice(notice), timeout.Token).ConfigureAwait(false);
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
