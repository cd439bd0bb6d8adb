using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Storage;

namespace Pki.Core.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>Registers expiry notices, their channels (email, Teams), digests and the expiry-notice index; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiNotifications(this IServiceCollection services)
    {
        services.AddSingleton<INoticeStore, TableNoticeStore>();
        services.AddSingleton<INoticeQueue, StorageNoticeQueue>();
        services.AddSingleton<NoticeRecipients>();
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<INoticeChannel, EmailNoticeChannel>();

        // One client for the process; pooled connections are renewed so a webhook host's DNS changes are seen.
        services.AddSingleton<INoticeChannel>(sp => new TeamsNoticeChannel(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<NoticeRecipients>(),
            sp.GetRequiredService<IOptions<PkiOptions>>()));
        services.AddSingleton<NotificationService>();
        services.AddSingleton<DigestService>();

        // Expiry notices: the index is written just before an inventory item's first write, and read by the PlanNotices
        // timer one day bucket at a time.
        services.AddSingleton<IExpiryNoticeIndex, TableExpiryNoticeIndex>();
        services.AddSingleton<ExpiryNoticePlanner>();
        return services;
    }
}
