using Pki.Core;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Dependencies;

namespace Pki.Tests.Unit.Dependencies;

/// <summary>
/// Which capability of core (Pki.Core.Authority, Pki.Core.Revocation, ...; a sub-namespace such as
/// Pki.Core.Revocation.Ocsp counts as its capability) uses which. Read twice: from Pki.Core's compiled code (signatures,
/// attributes and every type, method and field an instruction names, lambdas and async methods included) and from core's
/// sources (using directives, qualified names, crefs), which also show what compiles to no token (an enum member or a
/// const used as a value). A capability that another builds on does not reach back to it.
/// </summary>
public sealed class CapabilityDependencyTests
{
    /// <summary>
    /// Left out, like the root namespace (the settings and the service wiring): Storage is the Table, Queue and Blob
    /// Storage adapter layer, not a capability. It implements every capability's store and queue interfaces, and each
    /// capability's Add&lt;Capability&gt; registers its Storage classes, so it sits in a cycle with all of them by design.
    /// </summary>
    private static readonly string[] Layers = ["Storage"];

    /// <summary>
    /// The groups of capabilities that reach each other today, and why. The test fails on a group not listed here and
    /// on a listed one that changed or is gone, so the list stays the truth; break a cycle, then take it off.
    /// </summary>
    private static readonly Dictionary<string, string> KnownCycles = new(StringComparer.Ordinal)
    {
        ["Access, Audit, Authority"] =
            "The audit trail records the caller (Access.CallerContext) while sign-in sessions write audit records; " +
            "Access's settings check team DNS names with Authority.Policy.DnsNames while Authority authorizes callers through Access.",
        ["Delivery, Notifications, Renewal"] =
            "Renewal hands Key Vault certificates to Delivery, which reads renewal settings and policy; Renewal's wiring registers " +
            "Notifications' QueueRenewalNotifier for its IRenewalNotifier, Notifications plans expiry notices from renewal due dates " +
            "and mails Delivery's failures (EmailDeliveryNotifier is Delivery's IDeliveryNotifier).",
    };

    private static readonly Lazy<CapabilityGraph> Core = new(() => new CapabilityGraph("Pki.Core", Layers,
        AssemblyReferences.Read(typeof(PkiOptions).Assembly.Location)
            .Concat(SourceReferences.Read(Path.Combine(RepoPaths.Root, "core"), "Pki.Core"))));

    [Theory]
    [InlineData("Revocation", "Authority")] // revocation acts on issued certificates; the record carries its reason
    [InlineData("Discovery", "Inventory")] // discovery feeds the inventory what it saw
    public void A_capability_built_on_another_is_not_reached_back_from_it(string user, string used)
    {
        var graph = Core.Value;
        Assert.NotEmpty(graph.Uses(user, used));

        var back = graph.PathBetween(used, user);
        Assert.True(back is null, $"{used} reaches {user} through {string.Join(" -> ", back ?? [])}:{Environment.NewLine}" +
            string.Join(Environment.NewLine, Pairs(back ?? []).Select(p => $"  {p.From} -> {p.To}: {string.Join("; ", graph.Uses(p.From, p.To).Take(8))}")));
    }

    [Fact]
    public void Capabilities_form_no_cycle_but_the_known_ones()
    {
        var graph = Core.Value;
        var cycles = graph.Cycles();
        var found = cycles.Select(c => string.Join(", ", c)).ToList();

        var report = string.Join(Environment.NewLine, cycles.Select(c => string.Join(", ", c) + ":" + Environment.NewLine + graph.Describe(c)));
        Assert.True(found.Order(StringComparer.Ordinal).SequenceEqual(KnownCycles.Keys.Order(StringComparer.Ordinal)),
            $"Known: [{string.Join("] [", KnownCycles.Keys)}]{Environment.NewLine}Found:{Environment.NewLine}{report}");
    }

    private static IEnumerable<(string From, string To)> Pairs(IReadOnlyList<string> path) =>
        path.Zip(path.Skip(1), (a, b) => (a, b));
}
