using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Inventory;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Inventory;

/// <summary>
/// The overview's summary against Azurite's Table service: it counts from the projected read
/// (<see cref="IInventoryItemStore.ScanForCountingAsync"/>), the listing from full items, and every tile's count must be
/// what the listing lists for that tile's filter, so a field the filters read but the projection left out shows here.
/// </summary>
public sealed class InventorySummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string?[] TeamNames = ["payments", "fleet", null];
    private static readonly int[] DaysLeft = [-3, 0, 2, 6, 8, 13, 29, 31, 45, 75, 89, 91, 200];
    private readonly FakeTimeProvider _time = new(Now);
    private readonly CallerContext _callers = new();
    private readonly TableInventoryItemStore _items;
    private readonly InventoryService _inventory;

    public InventorySummaryTests()
    {
        var options = Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("invsum") },
            Inventory = { MaxPageSize = 7 },
        });
        var storage = new TableStorage(options);
        _items = new TableInventoryItemStore(storage);
        var (trail, _) = InMemoryAuditStore.Trail(_time);
        _inventory = new InventoryService(_items, new TableInventoryLocationStore(storage), new TableInventoryNameIndex(storage), trail, options, _time, _callers);
    }

    [Fact]
    public async Task Every_tile_counts_what_the_listing_lists_for_its_filter_for_all_teams_and_for_one()
    {
        var seeded = await SeedAsync();

        foreach (var caller in new[] { Caller.System, new Caller("req", "payments", [Roles.Requester], "api-key") })
        {
            using var _ = _callers.Enter(caller);
            var summary = await _inventory.SummarizeAsync();
            Assert.Equal(InventoryTiles.All.Select(t => t.Id), summary.Tiles.Select(t => t.Id));
            foreach (var tile in InventoryTiles.All)
            {
                var listed = await ListAllAsync(tile.Query);
                var counted = summary.Tiles.Single(t => t.Id == tile.Id).Count;
                Assert.True(listed.Count == counted, $"{caller.Id}, tile {tile.Id}: the summary counts {counted}, the listing lists {listed.Count}");

                // Not vacuous: the estate puts something in every tile, for every caller.
                Assert.True(counted >= 1, $"{caller.Id}, tile {tile.Id} is empty");
            }

            // The histogram: what the listing lists, bucketed by week and team.
            var expected = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
            foreach (var item in await ListAllAsync(new InventoryQuery()))
            {
                var week = (int)Math.Floor((item.NotAfter - Now).TotalDays / 7);
                if (week is >= 0 and < InventoryService.HistogramWeeks)
                {
                    (expected.TryGetValue(item.Team ?? InventoryService.NoTeam, out var row) ? row : expected[item.Team ?? InventoryService.NoTeam] = new int[InventoryService.HistogramWeeks])[week]++;
                }
            }

            Assert.Equal(expected.Keys, summary.Histogram.Select(h => h.Team));
            Assert.All(summary.Histogram, h => Assert.Equal(expected[h.Team], h.Weeks));
            Assert.Equal(caller.Team, summary.Team);
        }

        using (_callers.Enter(Caller.System))
        {
            Assert.Equal(seeded.Count, (await _inventory.SummarizeAsync()).Tiles.Single(t => t.Id == "all").Count);
        }
    }

    [Fact]
    public async Task The_projected_read_carries_every_field_the_filters_read_as_the_full_item_has_it()
    {
        var seeded = (await SeedAsync()).ToDictionary(i => i.Fingerprint, StringComparer.Ordinal);
        var projected = new List<InventoryItem>();
        await foreach (var item in _items.ScanForCountingAsync(new InventoryQuery(), Now, Now.AddDays(60)))
        {
            projected.Add(item);
        }

        Assert.Equal(seeded.Keys.Order(StringComparer.Ordinal), projected.Select(p => p.Fingerprint).Order(StringComparer.Ordinal));
        foreach (var p in projected)
        {
            var full = (await _items.GetAsync(p.Fingerprint))!.Value.Item;
            Assert.Equal(FilterFields(full), FilterFields(p));
        }

        // The team scope keeps the team's own rows only.
        var fleet = new List<InventoryItem>();
        await foreach (var item in _items.ScanForCountingAsync(new InventoryQuery(Team: "FLEET"), Now, Now.AddDays(60)))
        {
            fleet.Add(item);
        }

        Assert.Equal(seeded.Values.Count(i => i.Team == "fleet"), fleet.Count);
        Assert.All(fleet, i => Assert.Equal("fleet", i.Team));
    }

    /// <summary>Every field <c>InventoryService.Matches</c> and the histogram read.</summary>
    private static string FilterFields(InventoryItem i) => string.Join(
        " | ",
        i.Fingerprint, i.NotBefore.ToString("O"), i.NotAfter.ToString("O"), i.RevokedAt?.ToString("O"), i.Issuer, i.IssuerCaId, i.Owner, i.Team, i.Sources,
        string.Join(",", i.Findings.Select(f => f.Code).Distinct().Order(StringComparer.Ordinal)));

    /// <summary>
    /// An estate that puts items in every tile for every team: expiry around each tile's edges (and a lifetime shorter
    /// than a threshold), every stored finding, revocations inside and outside the last 30 days, several sources and issuers.
    /// </summary>
    private async Task<List<InventoryItem>> SeedAsync()
    {
        var items = new List<InventoryItem>();
        var n = 0;
        foreach (var team in TeamNames)
        {
            foreach (var days in DaysLeft)
            {
                n++;
                var code = FindingCodes.Stored[n % FindingCodes.Stored.Count];
                var second = FindingCodes.Stored[(n * 5) % FindingCodes.Stored.Count];
                var revokedAt = code == FindingCodes.Revoked || second == FindingCodes.Revoked ? Now.AddDays(n % 2 == 0 ? -5 : -40) : (DateTimeOffset?)null;
                var item = new InventoryItem(
                    Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n))),
                    $"CN=host{n}.summary.test", n % 2 == 0 ? "CN=Our Issuing" : "CN=Someone Else's CA", $"{n:x4}",
                    Now.AddDays(n % 4 == 0 ? -1 : -100), Now.AddDays(days).AddHours(n % 3), [$"host{n}.summary.test"], [], "EC", 256, "SHA256WITHECDSA", false,
                    (n % 3) switch { 0 => InventorySources.Issued, 1 => InventorySources.Endpoint, _ => InventorySources.Endpoint | InventorySources.KeyVault },
                    n % 2 == 0 ? "pat@corp.test" : null, team, OwnerSource.Api, Now.AddDays(-100), Now, n % 2 == 0 ? "issuing" : null, revokedAt is not null,
                    n % 5 == 0 ? [] : [new Finding(code, FindingSeverity.High, $"{code} here"), new Finding(second, FindingSeverity.Low, $"{second} there", "127.0.0.1:443")],
                    revokedAt);
                Assert.True(await _items.TryAddAsync(item));
                items.Add(item);
            }
        }

        // Revoked in the last 30 days for every team, whatever the cycle above gave.
        foreach (var team in TeamNames)
        {
            n++;
            var item = new InventoryItem(
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n))), $"CN=revoked{n}.summary.test", "CN=Our Issuing", $"{n:x4}",
                Now.AddDays(-100), Now.AddDays(60), [], [], "RSA", 1024, "SHA1WITHRSA", false, InventorySources.Issued, null, team, OwnerSource.None, Now.AddDays(-100), Now, "issuing", true,
                [new Finding(FindingCodes.Revoked, FindingSeverity.High, "revoked"), new Finding(FindingCodes.WeakKey, FindingSeverity.High, "weak"), new Finding(FindingCodes.WeakSignature, FindingSeverity.High, "weak")],
                Now.AddDays(-2));
            Assert.True(await _items.TryAddAsync(item));
            items.Add(item);
        }

        return items;
    }

    /// <summary>Every item the listing lists for <paramref name="query"/>, page by page at the API's page cap.</summary>
    private async Task<List<InventoryItemView>> ListAllAsync(InventoryQuery query)
    {
        var all = new List<InventoryItemView>();
        string? token = null;
        do
        {
            var page = await _inventory.ListAsync(query, 7, token);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }
}
