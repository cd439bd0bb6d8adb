using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Renewal;

namespace Pki.Tests.Unit.Renewal;

public sealed class RenewalIndexerTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_issued_certificate_is_indexed_under_the_day_it_falls_due()
    {
        var index = new RecordingIndex();
        var certificate = Issued(NotBefore, NotBefore.AddDays(45), createdAt: NotBefore);

        await new RenewalIndexer(index, Options.Create(new PkiOptions())).OnIssuedAsync(certificate);

        // Two thirds of 45 days: due 30 days after notBefore, in the bucket of 2026-12-01.
        var entry = Assert.Single(index.Upserted);
        Assert.Equal("20261201", entry.Day);
        Assert.Equal(certificate.SerialNumber, entry.SerialNumber);
        Assert.Equal(NotBefore.AddDays(30), entry.DueAt);
    }

    [Fact]
    public void A_certificate_made_after_its_due_moment_is_due_when_it_was_made_not_in_a_bucket_behind_the_planner()
    {
        // Backdated far enough (a repair pass finishing an old reservation) that the due moment lies before its creation.
        var createdAt = NotBefore.AddDays(40);
        var entry = RenewalIndexer.Entry(Issued(NotBefore, NotBefore.AddDays(45), createdAt), new RenewalOptions());

        Assert.Equal(createdAt, entry.DueAt);
        Assert.Equal("20261211", entry.Day);
    }

    private static CertificateRecord Issued(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset createdAt) =>
        new("0a1b2c3d4e5f60718293a4b5c6d7e8f9", "issuing", CertificateStatus.Issued, ProfileNames.TlsServer, "alice", "CN=a.internal", notBefore, notAfter, "req", createdAt);

    private sealed class RecordingIndex : IRenewalIndex
    {
        public List<RenewalIndexEntry> Upserted { get; } = [];

        public Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default)
        {
            Upserted.Add(entry);
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> GetCursorAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetCursorAsync(string day, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
