using System.Text.RegularExpressions;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Reads the README's shell examples (fenced <c>```sh</c> blocks) and their markers, and finds commands that escape
/// them: a call to the API in a block of another kind or in running text could not be run by a test, so it is reported.
/// </summary>
public static partial class ReadmeExamples
{
    public const string Language = "sh";

    public static IReadOnlyList<ReadmeExample> Parse(string markdown, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(problems);
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var examples = new List<ReadmeExample>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                if (InlineCommand().IsMatch(lines[i]))
                {
                    problems.Add($"README.md line {i + 1}: a command in running text cannot be run by the README test; make it a ```{Language} block: {lines[i].Trim()}");
                }

                if (lines[i].StartsWith("<!-- example:", StringComparison.Ordinal) && !(i + 1 < lines.Length && lines[i + 1].StartsWith("```" + Language, StringComparison.Ordinal)))
                {
                    problems.Add($"README.md line {i + 1}: an example marker must stand on the line right before a ```{Language} block.");
                }

                continue;
            }

            var language = lines[i][3..].Trim();
            var start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                code.Add(lines[i]);
            }

            var text = string.Join('\n', code) + "\n";
            if (language != Language)
            {
                if (text.Contains("curl ", StringComparison.Ordinal) || text.Contains("localhost:7071", StringComparison.Ordinal))
                {
                    problems.Add($"README.md line {start + 1}: a ```{language} block calls the API; make it ```{Language}, so the README test runs it.");
                }

                continue;
            }

            examples.Add(WithMarker(start > 0 ? lines[start - 1] : string.Empty, start + 2, text, problems));
        }

        return examples;
    }

    private static ReadmeExample WithMarker(string before, int line, string code, ICollection<string> problems)
    {
        if (!before.StartsWith("<!-- example:", StringComparison.Ordinal))
        {
            return new ReadmeExample(line, code, null, [], 0, null);
        }

        if (NotRun().Match(before) is { Success: true } notRun)
        {
            return new ReadmeExample(line, code, notRun.Groups["why"].Value, [], 0, null);
        }

        if (Needs().Match(before) is { Success: true } needs)
        {
            return new ReadmeExample(line, code, null, needs.Groups["vars"].Value.Split(' '), 0, null);
        }

        if (Exits().Match(before) is { Success: true } exits)
        {
            return new ReadmeExample(line, code, null, [], int.Parse(exits.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture), exits.Groups["text"].Value);
        }

        problems.Add($"README.md line {line - 2}: unknown example marker '{before}'; use 'not run: why', 'needs VAR VAR: why' or 'exits N with \"text\": why'.");
        return new ReadmeExample(line, code, "its marker is not understood", [], 0, null);
    }

    [GeneratedRegex(@"^<!-- example: not run: (?<why>.{10,}) -->$")]
    private static partial Regex NotRun();

    [GeneratedRegex(@"^<!-- example: needs (?<vars>[A-Z_]+(?: [A-Z_]+)*): (?<why>.{10,}) -->$")]
    private static partial Regex Needs();

    [GeneratedRegex(@"^<!-- example: exits (?<code>\d{1,3}) with ""(?<text>[^""]+)"": (?<why>.{10,}) -->$")]
    private static partial Regex Exits();

    // A command a reader would paste: curl against the API, written as code in running text.
    [GeneratedRegex(@"`curl [^`]*`")]
    private static partial Regex InlineCommand();
}
