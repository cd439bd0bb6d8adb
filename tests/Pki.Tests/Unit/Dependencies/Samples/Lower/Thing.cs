namespace Pki.Tests.Unit.Dependencies.Samples.Lower;

/// <summary>Named by BodyOnly (in Upper) in a lambda's body only.</summary>
public sealed class Thing
{
    public int Size => 1;
}
