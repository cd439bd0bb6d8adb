using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Pki.Tests.Infrastructure.Browser;

/// <summary>axe-core (Deque's engine, run in the page) on a screen: no serious or critical violation, each one named if any.</summary>
public static class Accessibility
{
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string screen)
    {
        var results = await page.RunAxe();
        Assert.True(results.Passes.Length > 0, $"axe checked nothing on the {screen} screen");
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(serious.Length == 0, $"axe on the {screen} screen: " + string.Join("; ", serious.Select(v =>
            $"{v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
