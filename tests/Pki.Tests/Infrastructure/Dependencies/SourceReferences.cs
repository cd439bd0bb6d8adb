using System.Text.RegularExpressions;

namespace Pki.Tests.Infrastructure.Dependencies;

/// <summary>
/// The namespaces each C# file names: its using directives (plain, static and alias) and fully qualified names in its
/// code and crefs (Pki.Core.Revocation.CrlShards, or Revocation.CrlShards relative to Pki.Core), attributed to the
/// file-scoped namespace it declares. Comments other than crefs do not count (a "//" inside a string, as in a URL, ends
/// what is read of that line; the compiled code still shows the types there); a using that nothing in the file needs
/// does count: it says the file reaches into that namespace.
/// </summary>
public static partial class SourceReferences
{
    /// <summary>Every reference from a .cs file under <paramref name="folder"/> to a namespace starting with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<CodeReference> Read(string folder, string prefix)
    {
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar) is not ["bin" or "obj", ..])
            .Select(f => (Path: Path.GetRelativePath(folder, f), Text: File.ReadAllText(f)))
            .Select(f => (f.Path, f.Text, Namespace: FileNamespace().Match(f.Text)))
            .Where(f => f.Namespace.Success)
            .ToList();

        // Below the root, the first segment of every declared namespace: what a name relative to the root starts with.
        var capabilities = files.Select(f => f.Namespace.Groups[1].Value)
            .Where(n => n.StartsWith(prefix + ".", StringComparison.Ordinal))
            .Select(n => n[(prefix.Length + 1)..].Split('.')[0])
            .ToHashSet(StringComparer.Ordinal);

        var found = new List<CodeReference>();
        foreach (var (relative, text, declared) in files)
        {
            var from = declared.Groups[1].Value;
            var body = text[(declared.Index + declared.Length)..];
            var code = string.Join(' ', Crefs().Matches(body).Select(m => m.Groups[1].Value)) + " " + Comments().Replace(body, string.Empty);
            var named = Usings().Matches(text).Select(m => new[] { m.Groups[1], m.Groups[2], m.Groups[3] }.First(g => g.Success).Value)
                .Concat(QualifiedNames().Matches(code).Select(m => m.Groups[1].Value))
                .Concat(RelativeNames().Matches(code).Select(m => m.Groups[1].Value)
                    .Where(capabilities.Contains)
                    .Select(c => prefix + "." + c));
            foreach (var ns in named.Where(n => n == prefix || n.StartsWith(prefix + ".", StringComparison.Ordinal)).Distinct())
            {
                if (ns != from)
                {
                    found.Add(new CodeReference(from, ns, $"{relative} names {ns}"));
                }
            }
        }

        return found;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    // using X; using static X.Type; using A = X.Type;  (a static or alias using names a type: the group takes its namespace)
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+([\w.]+)\.\w+|\w+\s*=\s*([\w.]+)\.\w+|([\w.]+))\s*;", RegexOptions.Multiline)]
    private static partial Regex Usings();

    // A qualified name in code or a cref: Pki.Core.Revocation.CrlShards names Pki.Core.Revocation (or, for a nested
    // type, its outer type's full name, which still starts with the namespace).
    [GeneratedRegex(@"\b(Pki\.Core(?:\.\w+)*)\.[A-Z]\w*\b")]
    private static partial Regex QualifiedNames();

    // Revocation.CrlShards in code under Pki.Core, not after a dot (options.Value.Revocation.CrlShards is a property).
    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.[A-Z]\w*\b")]
    private static partial Regex RelativeNames();

    [GeneratedRegex(@"cref=""([^""]+)""")]
    private static partial Regex Crefs();

    [GeneratedRegex(@"//[^\r\n]*|/\*[\s\S]*?\*/")]
    private static partial Regex Comments();
}
