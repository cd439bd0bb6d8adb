using Pki.Tests.Unit.Dependencies.Samples.Lower;

namespace Pki.Tests.Unit.Dependencies.Samples.Upper;

/// <summary>Uses an enum member as a value only: the IL holds the number, not the enum.</summary>
public static class ConstantOnly
{
    public static bool IsHigh(int level) => level == (int)Level.High;
}
