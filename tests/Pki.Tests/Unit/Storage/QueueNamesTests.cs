using Pki.Core.Storage;

namespace Pki.Tests.Unit.Storage;

public sealed class QueueNamesTests
{
    [Theory]
    [InlineData("", "discovery-batches", "discovery-batches")]
    [InlineData("T1a2B3", "discovery-batches", "t1a2b3discovery-batches")]
    [InlineData("p", "q1", "pq1")]
    [InlineData("Q1", "Raw-Items", "q1raw-items")]
    public void The_prefix_goes_before_the_name_and_both_are_lowercased_as_the_host_lowercases_trigger_names(string prefix, string name, string expected)
    {
        Assert.Equal(expected, QueueNames.Resolve(prefix, name));
    }

    [Theory]
    [InlineData("", "ab", "3 to 63")]
    [InlineData("longprefixof20chars0", "a-queue-name-that-is-long-enough-to-pass-the-limit-of-63", "3 to 63")]
    [InlineData("", "under_score", "only ASCII letters, digits and hyphens")]
    [InlineData("", "dotted.name", "only ASCII letters, digits and hyphens")]
    [InlineData("", "-leading", "start and end with a letter or digit")]
    [InlineData("", "trailing-", "start and end with a letter or digit")]
    [InlineData("", "two--hyphens", "no two hyphens in a row")]
    public void A_name_storage_would_refuse_is_refused_by_parameter_with_the_rule(string prefix, string name, string rule)
    {
        var refused = Assert.Throws<ArgumentException>(() => QueueNames.Resolve(prefix, name));

        Assert.Equal("name", refused.ParamName);
        Assert.Contains(rule, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_prefix_and_empty_name_are_refused()
    {
        Assert.Equal("prefix", Assert.Throws<ArgumentNullException>(() => QueueNames.Resolve(null!, "work")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => QueueNames.Resolve("p", "")).ParamName);
    }
}
