using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Core.Inventory;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host whose reports read the inventory ten items a page, over the real Table store wrapped in a gate
/// that can hold one page's read until a test lets it go, with <see cref="ItemCount"/> items in the inventory and an
/// ownership report that lists at most <see cref="MaxListed"/>.
/// </summary>
public sealed class ReportStreamingFixture : DevHostFixture
{
    public const int ItemCount = 300;
    public const int PageSize = 10;
    public const int MaxListed = 25;

    public GatedInventoryStore Gate { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await StartHostAsync(["--Pki:Reports:PageSize=" + PageSize, "--Pki:Reports:MaxOwnershipCertificates=" + MaxListed], services => services.Replace(ServiceDescriptor.Singleton<IInventoryItemStore>(sp =>
            Gate = new GatedInventoryStore(new TableInventoryItemStore(sp.GetRequiredService<TableStorage>())))));
        var store = App.Services.GetRequiredService<IInventoryItemStore>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, ItemCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var item = ReportsHostFixture.Discovered($"{i:x4}", $"CN=host{i}.streaming.internal", now.AddDays(-10), now.AddDays(30 + i), "EC", 256, InventorySources.Endpoint, "sam@corp.internal", "streaming");
            Assert.True(await store.TryAddAsync(item, ct));
        });
    }

    /// <summary>The inventory's item store with one page read that waits, when armed, until <see cref="Release"/>; everything else passes through.</summary>
    public sealed class GatedInventoryStore(IInventoryItemStore inner) : IInventoryItemStore
    {
        private int _queries;
        private int _holdAt = int.MaxValue;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Page reads since <see cref="Arm"/>.</summary>
        public int Queries => Volatile.Read(ref _queries);

        /// <summary>Completes when the held read has started.</summary>
        public Task Reached => _reached.Task;

        /// <summary>From now on the <paramref name="holdAtQuery"/>th page read (1-based) waits for <see cref="Release"/>.</summary>
        public void Arm(int holdAtQuery)
        {
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _queries, 0);
            Volatile.Write(ref _holdAt, holdAtQuery);
        }

        public void Release() => _release.TrySetResult();

        public async Task<InventoryPage> QueryAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _queries) == Volatile.Read(ref _holdAt))
            {
                _reached.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            return await inner.QueryAsync(query, now, expiringBefore, pageSize, continuationToken, cancellationToken);
        }

        public IAsyncEnumerable<InventoryItem> ScanForCountingAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, CancellationToken cancellationToken = default) =>
            inner.ScanForCountingAsync(query, now, expiringBefore, cancellationToken);

        public Task<(InventoryItem Item, string Version)?> GetAsync(string fingerprint, CancellationToken cancellationToken = default) => inner.GetAsync(fingerprint, cancellationToken);

        public Task<bool> TryAddAsync(InventoryItem item, CancellationToken cancellationToken = default) => inner.TryAddAsync(item, cancellationToken);

        public Task<bool> TryReplaceAsync(InventoryItem item, string version, CancellationToken cancellationToken = default) => inner.TryReplaceAsync(item, version, cancellationToken);
    }
}
