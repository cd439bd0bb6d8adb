using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Notifications;

/// <summary>The expiry-notice index against Azurite's Table service.</summary>
public sealed class ExpiryNoticeIndexTests
{
    private static readonly DateTimeOffset NotAfter = new(2027, 1, 31, 12, 0, 0, TimeSpan.Zero);
    private readonly TableExpiryNoticeIndex _index = new(new TableStorage(Options.Create(new PkiOptions
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("n") },
    })));

    [Fact]
    public async Task A_day_holds_the_crossings_of_that_day_and_adding_again_never_reopens_a_handled_one()
    {
        var entries = Unit.Notifications.ExpiryThresholdsTests.Chain("aa11", NotAfter, NotAfter.AddDays(-40), NotificationOptions.DefaultThresholdsDays);
        await _index.AddAsync(entries);
        await _index.AddAsync(Unit.Notifications.ExpiryThresholdsTests.Chain("bb22", NotAfter.AddDays(1), NotAfter.AddDays(-40), NotificationOptions.DefaultThresholdsDays));

        var day = await ToListAsync(_index.QueryDayAsync("20270124"));
        var sevenDays = Assert.Single(day);
        Assert.Equal(("aa11", 7, NotAfter.AddDays(-7), false), (sevenDays.Fingerprint, sevenDays.ThresholdDays, sevenDays.CrossesAt, sevenDays.Planned));

        Assert.Equal(1, await _index.MarkPlannedAsync(day));
        await _index.AddAsync(entries); // the item recorded "first" again (a lost race, a crash before its write)
        Assert.True(Assert.Single(await ToListAsync(_index.QueryDayAsync("20270124"))).Planned);

        // A mark made from a stale read changes nothing.
        Assert.Equal(0, await _index.MarkPlannedAsync([sevenDays]));
    }

    [Fact]
    public async Task The_cursor_round_trips_and_is_absent_before_the_first_pass()
    {
        Assert.Null(await _index.GetCursorAsync());
        await _index.SetCursorAsync("20270101");
        Assert.Equal("20270101", await _index.GetCursorAsync());
    }

    private static async Task<List<ExpiryNoticeEntry>> ToListAsync(IAsyncEnumerable<ExpiryNoticeEntry> source)
    {
        var list = new List<ExpiryNoticeEntry>();
        await foreach (var e in source)
        {
            list.Add(e);
        }

        return list;
    }
}
