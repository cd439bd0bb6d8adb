using System.Net;
using Microsoft.Extensions.Logging;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Line breaks a caller puts into a URL reach the log escaped, so they cannot forge a log line.</summary>
public sealed class LogInjectionTests(InformationLogHostFixture host) : IClassFixture<InformationLogHostFixture>
{
    [Fact]
    public async Task Line_breaks_in_a_path_or_in_a_problem_detail_are_logged_escaped()
    {
        var marker = TestEnvironment.UniqueId("forged-");

        // The decoded path carries the break; so does the detail that quotes the refused query value.
        await (await host.Client.GetAsync($"/api/certificates/ab%0D%0A{marker}-path")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-serial");
        await (await host.Client.GetAsync($"/api/audit?from=x%0A{marker}-detail%0D")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-time");

        var logged = host.Logs.GetSnapshot().Where(r => r.Message.Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.Contains(logged, r => r.Level == LogLevel.Information && r.Message.Contains($"ab\\r\\n{marker}-path", StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Level == LogLevel.Information && r.Message.Contains($"x\\n{marker}-detail\\r", StringComparison.Ordinal));
        Assert.All(logged, r => Assert.False(r.Message.IndexOfAny(['\r', '\n']) >= 0, r.Message));
        Assert.All(logged, r => Assert.DoesNotContain(r.StructuredState ?? [], p => p.Value?.IndexOfAny(['\r', '\n']) >= 0));
    }
}
