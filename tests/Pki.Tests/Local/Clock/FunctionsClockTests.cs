using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pki.Functions;
using Pki.Local;
using Pki.Local.Clock;

namespace Pki.Tests.Local.Clock;

/// <summary>The movable clock is the dev host's alone: the Functions app registers the system clock and serves no clock route.</summary>
public sealed class FunctionsClockTests
{
    [Fact]
    public void The_functions_app_reads_the_system_clock_and_serves_no_clock_route()
    {
        using var services = new ServiceCollection().AddLogging().AddPkiFunctions(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.Null(services.GetService<DevClock>());
        var catalog = FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly);
        Assert.DoesNotContain(catalog.HttpRoutes, r => r.Route.Contains("clock", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_dev_host_reads_the_dev_clock()
    {
        await using var app = DevHost.Build(["--DevHost:DisableTimers=true", "--DevHost:DisableQueues=true"]);

        Assert.IsType<DevClock>(app.Services.GetRequiredService<TimeProvider>());
        Assert.Same(app.Services.GetRequiredService<DevClock>(), app.Services.GetRequiredService<TimeProvider>());
    }
}
