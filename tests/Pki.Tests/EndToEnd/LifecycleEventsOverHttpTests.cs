using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority;
using Pki.Core.Events;
using Pki.Core.Revocation;
using Pki.Core.Storage;
using Pki.Functions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Issuance and revocation through the HTTP API put lifecycle events on the local queue, through the outbox.</summary>
public sealed class LifecycleEventsOverHttpTests(LifecycleEventsHostFixture host) : IClassFixture<LifecycleEventsHostFixture>
{
    [Fact]
    public async Task Issuance_puts_one_issued_event_on_the_lifecycle_events_queue()
    {
        var serial = await IssueAsync("issued.events.internal");

        var e = Assert.Single(await host.EventsAboutAsync(serial));
        Assert.Equal(LifecycleEventTypes.Issued, e.Type);
        Assert.Equal($"{DevHostFixture.PublicBaseUrl}/api/ca/{host.IssuingId}", e.Source);
        Assert.Equal(serial, e.Data.SerialNumber);
        Assert.Equal(["issued.events.internal"], e.Data.DnsNames);
        Assert.Equal("alice@corp.internal", e.Data.Owner);
        Assert.Equal(TestCallers.Admin.Team, e.Data.Team); // the requester's team, which the certificate belongs to
        Assert.Equal(host.IssuingId, e.Data.CaId);
        Assert.Equal(0, await host.CountRowsAsync(TableNames.EventOutbox));
    }

    [Fact]
    public async Task Revocation_puts_a_revoked_event_after_the_issued_one()
    {
        var serial = await IssueAsync("revoked.events.internal");
        using (var revoke = await host.Client.PostAsJsonAsync($"/api/certificates/{serial}/revoke", new { reason = "keyCompromise" }))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var events = await host.EventsAboutAsync(serial);
        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], events.Select(e => e.Type));
        Assert.Equal("keyCompromise", events[1].Data.Reason);
    }

    [Fact]
    public async Task While_the_bus_is_down_the_event_waits_in_the_outbox_and_the_timer_publishes_it_once_when_it_returns()
    {
        host.Bus.Down = true;
        string serial;
        try
        {
            serial = await IssueAsync("outage.events.internal");
            Assert.Equal(1, await host.CountRowsAsync(TableNames.EventOutbox));
            Assert.Empty(await host.EventsAboutAsync(serial));
        }
        finally
        {
            host.Bus.Down = false;
        }

        // The DispatchEvents timer function, run by hand as the Functions host's admin API does.
        using (var run = await host.Client.PostAsJsonAsync("/admin/functions/" + nameof(Events.DispatchEvents), new { input = string.Empty }))
        {
            Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await host.CountRowsAsync(TableNames.EventOutbox) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, await host.CountRowsAsync(TableNames.EventOutbox));
        Assert.Equal(LifecycleEventTypes.Issued, Assert.Single(await host.EventsAboutAsync(serial)).Type);

        // A repeated dispatch (a redelivered timer run) publishes nothing new.
        Assert.Equal(new DispatchOutcome(0, 0), await host.App.Services.GetRequiredService<EventDispatcher>().DispatchAsync());
        Assert.Single(await host.EventsAboutAsync(serial));
    }

    [Fact]
    public void The_event_recorder_is_the_first_issuance_and_revocation_observer()
    {
        Assert.IsType<LifecycleEventRecorder>(host.App.Services.GetServices<IIssuanceObserver>().First());
        Assert.IsType<LifecycleEventRecorder>(host.App.Services.GetServices<IRevocationObserver>().First());
    }

    private async Task<string> IssueAsync(string name)
    {
        var issued = await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec(name, [name])));
        return issued.GetProperty("serialNumber").GetString()!;
    }
}
