using Pki.Tests.Unit.Dependencies.Samples.Lower;

namespace Pki.Tests.Unit.Dependencies.Samples.Upper;

/// <summary>Uses <see cref="Thing"/> where no signature shows it: in a lambda (a compiler-generated nested type's method).</summary>
public static class BodyOnly
{
    public static int Count(int n) => Enumerable.Range(0, n).Select(_ => new Thing().Size).Sum();
}
