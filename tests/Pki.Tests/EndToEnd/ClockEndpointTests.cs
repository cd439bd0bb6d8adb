using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// GET and POST /admin/clock on the dev host: admins read and move its clock forward, every service reads the moved
/// time, nothing moves it back, and a host started again on the same storage goes on from the moved time.
/// </summary>
public sealed class ClockEndpointTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task An_admin_moves_the_clock_forward_and_the_services_read_the_moved_time()
    {
        var before = await ReadAsync(host.Client);

        using var moved = await host.Client.PostAsJsonAsync("/admin/clock", new { advance = "P30D" });
        var after = await moved.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(Add(before.Offset, TimeSpan.FromDays(30)), after.GetProperty("offset").GetString());
        Assert.InRange(after.GetProperty("now").GetDateTimeOffset() - before.Now, TimeSpan.FromDays(30), TimeSpan.FromDays(30).Add(TimeSpan.FromMinutes(1)));

        // The API's own time moved: health answers with the service clock.
        var health = await host.Client.GetFromJsonAsync<HealthAnswer>("/api/health");
        Assert.True(health!.Time > DateTimeOffset.UtcNow.AddDays(29), $"health time {health.Time:o}");

        // "to" moves to a moment; it answers the same shape.
        var target = after.GetProperty("now").GetDateTimeOffset().AddHours(6);
        using var to = await host.Client.PostAsJsonAsync("/admin/clock", new { to = target.ToString("o") });
        Assert.Equal(HttpStatusCode.OK, to.StatusCode);
        Assert.InRange((await to.JsonAsync()).GetProperty("now").GetDateTimeOffset() - target, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_clock_never_moves_back_and_malformed_moves_are_problems()
    {
        var now = (await ReadAsync(host.Client)).Now;

        await (await host.Client.PostAsJsonAsync("/admin/clock", new { to = now.AddDays(-1).ToString("o") })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "clock-backward");
        await (await host.Client.PostAsJsonAsync("/admin/clock", new { advance = "P1Y" })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-duration");
        await (await host.Client.PostAsJsonAsync("/admin/clock", new { advance = "P1D", to = now.AddDays(2).ToString("o") })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-clock-move");
        await (await host.Client.PostAsJsonAsync("/admin/clock", new { to = "2030-01-01T00:00:00" })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-time");
        await (await host.Client.PostAsJsonAsync("/admin/clock", new { advance = "P4000D" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "clock-move-too-long");
        using var notJson = new StringContent("{\"advance\":", Encoding.UTF8, "application/json");
        await (await host.Client.PostAsync("/admin/clock", notJson)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-json");

        Assert.InRange((await ReadAsync(host.Client)).Now - now, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Only_admins_read_or_move_the_clock()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        await (await anonymous.GetAsync("/admin/clock")).AssertProblemAsync(HttpStatusCode.Unauthorized, "authentication-required");
        using var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        await (await requester.PostAsJsonAsync("/admin/clock", new { advance = "P1D" })).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-role");
    }

    [Fact]
    public async Task A_host_started_again_on_the_same_storage_goes_on_from_the_moved_time()
    {
        var prefix = TestEnvironment.UniqueId("t");
        var rootId = TestEnvironment.UniqueId("root-");
        var issuingId = TestEnvironment.UniqueId("issuing-");
        TimeSpan offset;
        await using (var first = await DevHostFixture.StartAsync(prefix, rootId, issuingId))
        {
            using var client = TestCallers.Admin.Client(AddressOf(first));
            using var moved = await client.PostAsJsonAsync("/admin/clock", new { advance = "P20DT3H" });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            offset = (await ReadAsync(client)).OffsetSpan;
            await first.StopAsync();
        }

        await using var second = await DevHostFixture.StartAsync(prefix, rootId, issuingId);
        using var again = TestCallers.Admin.Client(AddressOf(second));
        Assert.Equal(offset, (await ReadAsync(again)).OffsetSpan);
        Assert.True(offset >= new TimeSpan(20, 3, 0, 0));
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static async Task<Reading> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/admin/clock");
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {json}");
        var offset = json.GetProperty("offset").GetString()!;
        Assert.True(Pki.Local.Clock.IsoDuration.TryParse(offset, out var span), offset);
        return new Reading(json.GetProperty("now").GetDateTimeOffset(), offset, span);
    }

    private static string Add(string offset, TimeSpan by)
    {
        Assert.True(Pki.Local.Clock.IsoDuration.TryParse(offset, out var span), offset);
        return Pki.Local.Clock.IsoDuration.Format(span + by);
    }

    private sealed record Reading(DateTimeOffset Now, string Offset, TimeSpan OffsetSpan);

    private sealed record HealthAnswer(string Status, DateTimeOffset Time);
}
