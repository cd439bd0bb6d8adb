using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host on a fake clock (a test moves it to the day certificates fall due), with a notifier that records
/// what it was told, quick queue retries, and its log recorded.
/// </summary>
public sealed class RenewalHostFixture : DevHostFixture
{
    /// <summary>Whole seconds, as certificates hold their times; the real clock is read once, so a second boundary between two readings cannot leave a fraction.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public RecordingNotifier Notifier { get; } = new();

    public override async Task InitializeAsync()
    {
        string[] args =
        [
            "--AzureFunctionsJobHost:extensions:queues:visibilityTimeout=00:00:00.200",
            "--AzureFunctionsJobHost:extensions:queues:maxPollingInterval=00:00:00.500",
        ];
        await StartHostAsync(args, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            services.Replace(ServiceDescriptor.Singleton<IRenewalNotifier>(Notifier));
        });
    }

    public sealed class RecordingNotifier : IRenewalNotifier
    {
        private readonly List<RenewalNotice> _notices = [];

        public IReadOnlyList<RenewalNotice> Notices
        {
            get
            {
                lock (_notices)
                {
                    return [.. _notices];
                }
            }
        }

        public Task NotifyOwnerNotRenewedAsync(RenewalNotice notice, CancellationToken cancellationToken = default)
        {
            lock (_notices)
            {
                _notices.Add(notice);
            }

            return Task.CompletedTask;
        }
    }
}
