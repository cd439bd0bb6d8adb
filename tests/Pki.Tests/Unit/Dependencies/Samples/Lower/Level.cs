namespace Pki.Tests.Unit.Dependencies.Samples.Lower;

/// <summary>Named by ConstantOnly (in Upper) as a constant only, which compiles to a bare number.</summary>
public enum Level
{
    Low,
    High,
}
