using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Dependencies;
using Pki.Tests.Unit.Dependencies.Samples.Upper;

namespace Pki.Tests.Unit.Dependencies;

/// <summary>The readers behind <see cref="CapabilityDependencyTests"/>, on samples of this assembly whose uses are known.</summary>
public sealed class DependencyReaderTests
{
    private const string Samples = "Pki.Tests.Unit.Dependencies.Samples";

    [Fact]
    public void A_type_named_only_in_a_lambda_body_is_seen_in_the_compiled_code()
    {
        var graph = new CapabilityGraph(Samples, [], AssemblyReferences.Read(typeof(BodyOnly).Assembly.Location));

        var uses = graph.Uses("Upper", "Lower");
        Assert.Contains($"{Samples}.Upper.BodyOnly -> {Samples}.Lower.Thing", uses);
        Assert.Empty(graph.Uses("Lower", "Upper"));
        Assert.Empty(graph.Cycles());

        // An enum member used as a value compiles to its number: the compiled code cannot show it.
        Assert.DoesNotContain(uses, u => u.Contains("ConstantOnly", StringComparison.Ordinal));
    }

    [Fact]
    public void The_source_shows_what_compiles_to_no_token()
    {
        var folder = Path.Combine(RepoPaths.Root, "tests", "Pki.Tests", "Unit", "Dependencies", "Samples");
        var graph = new CapabilityGraph(Samples, [], SourceReferences.Read(folder, Samples));

        Assert.Contains(Path.Combine("Upper", "ConstantOnly.cs") + $" names {Samples}.Lower", graph.Uses("Upper", "Lower"));
        Assert.Empty(graph.Uses("Lower", "Upper"));
    }

    [Fact]
    public void Cycles_are_found_with_the_chain_that_closes_them()
    {
        var graph = new CapabilityGraph("R", ["L"],
        [
            new CodeReference("R.A", "R.B.Sub", "a->b"),
            new CodeReference("R.B", "R.C", "b->c"),
            new CodeReference("R.C.Deep", "R.A", "c->a"),
            new CodeReference("R.C", "R.D", "c->d"),
            new CodeReference("R.D", "R.L", "d->layer"),
            new CodeReference("R.L", "R.D", "layer->d"),
            new CodeReference("R", "R.D", "root->d"),
            new CodeReference("R.D", "R", "d->root"),
        ]);

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["A", "B", "C"], cycle);
        Assert.Equal(["A", "B", "C", "D"], graph.PathBetween("A", "D"));
        Assert.Null(graph.PathBetween("D", "A"));
        Assert.Equal(["c->a"], graph.Uses("C", "A"));
    }
}
