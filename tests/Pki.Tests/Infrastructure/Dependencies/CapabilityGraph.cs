namespace Pki.Tests.Infrastructure.Dependencies;

/// <summary>
/// Which top-level capability namespaces (Pki.Core.Authority, Pki.Core.Revocation, ...) use which; a sub-namespace
/// (Pki.Core.Revocation.Ocsp) counts as its capability. The root namespace (Pki.Core: the settings, the service wiring,
/// shared helpers) is no capability and is left out: it is the composition root, which names every capability, and every
/// capability reads its settings. A capability that reaches another's type through the root (options.Value.Revocation.X)
/// still shows, since it names that type itself. Other namespaces may be left out the same way (<c>layers</c>).
/// </summary>
public sealed class CapabilityGraph
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> edges = new(StringComparer.Ordinal);

    public CapabilityGraph(string root, IEnumerable<string> layers, IEnumerable<CodeReference> references)
    {
        var left = layers.ToHashSet(StringComparer.Ordinal);
        foreach (var r in references)
        {
            if (Capability(root, r.From) is { } from && Capability(root, r.To) is { } to && from != to && !left.Contains(from) && !left.Contains(to))
            {
                Evidence(from, to).Add(r.Evidence);
            }
        }
    }

    /// <summary>The capability <paramref name="from"/> uses <paramref name="to"/>: where (empty: it does not).</summary>
    public IReadOnlyList<string> Uses(string from, string to) =>
        edges.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var where) ? where.Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>A shortest chain of uses from <paramref name="from"/> to <paramref name="to"/> (both ends included), or null when none leads there.</summary>
    public IReadOnlyList<string>? PathBetween(string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = from };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var at))
        {
            foreach (var next in edges.TryGetValue(at, out var targets) ? targets.Keys.Order(StringComparer.Ordinal).ToList() : [])
            {
                if (previous.TryAdd(next, at))
                {
                    if (next == to)
                    {
                        var path = new List<string> { to };
                        for (var step = at; step != from; step = previous[step])
                        {
                            path.Add(step);
                        }

                        path.Add(from);
                        path.Reverse();
                        return path;
                    }

                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }

    /// <summary>The strongly connected groups of more than one capability (each is a cycle or several), names sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm.
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<IReadOnlyList<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.TryGetValue(v, out var targets) ? targets.Keys.Order(StringComparer.Ordinal).ToList() : [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);

                if (group.Count > 1)
                {
                    groups.Add(group.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var n in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(n);
        }

        return groups.OrderBy(g => g[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>Every use between capabilities of <paramref name="group"/>, with its first few pieces of evidence.</summary>
    public string Describe(IReadOnlyList<string> group, int evidencePerEdge = 5) => string.Join(Environment.NewLine,
        from f in @group
        from t in @group
        let uses = Uses(f, t)
        where uses.Count > 0
        select $"  {f} -> {t}: {uses.Count} reference(s), e.g. {string.Join("; ", uses.Take(evidencePerEdge))}");

    private List<string> Evidence(string from, string to)
    {
        if (!edges.TryGetValue(from, out var targets))
        {
            edges[from] = targets = new(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var where))
        {
            targets[to] = where = [];
        }

        return where;
    }

    private static string? Capability(string root, string ns) =>
        ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;
}
