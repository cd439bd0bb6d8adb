using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Authority;
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

    /// <summary>The predecessor once its successor is issued (a wall-clock deadline: the renewal runs on the host's queue listener).</summary>
    public async Task<CertificateRecord> WaitForSuccessorAsync(string serial)
    {
        var store = App.Services.GetRequiredService<ICertificateStore>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            // The link is claimed with the successor's reserved serial before it is signed: wait until it is issued too.
            if (await store.GetAsync(serial) is { SuccessorSerial: { } successor } record
                && await store.GetAsync(successor) is { Status: CertificateStatus.Issued })
            {
                return record;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Certificate {serial} got no successor. {ErrorLog()}");
    }

    /// <summary>
    /// Waits until every named queue is empty at once, read in the order given (a message counts until it is deleted, so
    /// name a queue before the ones its handler sends to: a renewal batch is deleted only after its renewals were sent).
    /// </summary>
    public async Task WaitForQueuesToDrainAsync(params string[] queueNames)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var empty = true;
            foreach (var name in queueNames)
            {
                if ((await Queue(name).GetPropertiesAsync()).Value.ApproximateMessagesCount != 0)
                {
                    empty = false;
                    break;
                }
            }

            if (empty)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The queues {string.Join(", ", queueNames)} did not drain. {ErrorLog()}");
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
