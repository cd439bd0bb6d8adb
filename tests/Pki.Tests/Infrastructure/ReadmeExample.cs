namespace Pki.Tests.Infrastructure;

/// <summary>
/// One fenced <c>sh</c> block of the README and what the HTML comment on the line before it says about it:
/// <c>&lt;!-- example: not run: why --&gt;</c>, <c>&lt;!-- example: needs VAR VAR: why --&gt;</c> (the test provides
/// those variables) or <c>&lt;!-- example: exits N with "text": why --&gt;</c> (its documented outcome).
/// </summary>
public sealed record ReadmeExample(int Line, string Code, string? NotRunBecause, IReadOnlyList<string> Needs, int ExitCode, string? Prints)
{
    /// <summary>Where the reader finds it, for failure messages.</summary>
    public string Where => $"README.md line {Line}";
}
