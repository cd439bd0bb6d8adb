using Pki.Functions.Http;

namespace Pki.Tests.Unit.Functions.Http;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("/api/certificates/ab\r\nforged", "/api/certificates/ab\\r\\nforged")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("nul\0 esc\u001b nel\u0085 ls\u2028 ps\u2029", "nul\\u0000 esc\\u001b nel\\u0085 ls\\u2028 ps\\u2029")]
    public void Control_characters_and_line_separators_become_escapes(string value, string logged)
    {
        Assert.Equal(logged, LogText.Escape(value));
    }

    [Theory]
    [InlineData("/api/certificates/0a1b")]
    [InlineData("ünïcödé and a \\ backslash")]
    [InlineData(null)]
    public void Text_without_control_characters_is_logged_as_it_is(string? value)
    {
        Assert.Same(value, LogText.Escape(value));
    }
}
