using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Pki.Tests.Local.Timers;

/// <summary>POST /admin/functions/{name} runs a timer function by hand, as the Functions host's admin API does.</summary>
public sealed class AdminEndpointTests
{
    [Fact]
    public async Task Posting_input_to_a_timer_function_answers_202_and_runs_it()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)], "--DevHost:DisableTimers=true");

        using var response = await host.Client.PostAsJsonAsync("/admin/functions/EveryMinute", new { input = "" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await host.Probe.NextRunAsync();
        Assert.Equal(nameof(EveryMinute), run.Function);
        Assert.False(run.Timer.IsPastDue);
    }

    [Fact]
    public async Task An_empty_body_and_another_casing_of_the_name_run_it_too()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)], "--DevHost:DisableTimers=true");

        using var response = await host.Client.PostAsync("/admin/functions/everyminute", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(nameof(EveryMinute), (await host.Probe.NextRunAsync()).Function);
    }

    [Fact]
    public async Task The_answer_comes_before_the_run_ends()
    {
        await using var host = await TimerHost.StartAsync([typeof(WaitsForGate)], "--DevHost:DisableTimers=true");

        using var response = await host.Client.PostAsJsonAsync("/admin/functions/WaitsForGate", new { input = "" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.Probe.NextRunAsync();
        host.Probe.Gate.Release();
    }

    [Fact]
    public async Task An_unknown_function_is_a_404_problem_naming_the_functions_that_exist()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute), typeof(HourlyOnStartup)], "--DevHost:DisableTimers=true");

        using var response = await host.Client.PostAsJsonAsync("/admin/functions/RefreshCrls", new { input = "" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:serverless-pki:problem:no-such-function", problem.GetProperty("type").GetString());
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("EveryMinute, HourlyOnStartup", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, host.Probe.Count);
    }

    [Fact]
    public async Task A_failed_manual_run_is_logged_and_the_host_goes_on()
    {
        await using var host = await TimerHost.StartAsync([typeof(AlwaysFails), typeof(EveryMinute)], "--DevHost:DisableTimers=true");

        using var failing = await host.Client.PostAsync("/admin/functions/AlwaysFails", null);
        Assert.Equal(HttpStatusCode.Accepted, failing.StatusCode);
        await host.Probe.NextRunAsync();

        // Called directly, the runner hands the failure to its caller (after the run above has ended: one at a time).
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Runner.RunAsync(nameof(AlwaysFails)));
        Assert.Equal("The refresh failed.", thrown.Message);
        Assert.Equal(nameof(AlwaysFails), (await host.Probe.NextRunAsync()).Function);
        var failures = host.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToArray();
        Assert.Equal([nameof(AlwaysFails), nameof(AlwaysFails)], failures.Select(r => r.GetStructuredStateValue("FunctionName")));

        using var other = await host.Client.PostAsync("/admin/functions/EveryMinute", null);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(nameof(EveryMinute), (await host.Probe.NextRunAsync()).Function);
    }

    [Fact]
    public async Task The_runner_refuses_an_unknown_name_by_parameter()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)], "--DevHost:DisableTimers=true");

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => host.Runner.RunAsync("RefreshCrls"));

        Assert.Equal("name", refused.ParamName);
        Assert.Contains("RefreshCrls", refused.Message, StringComparison.Ordinal);
    }
}
