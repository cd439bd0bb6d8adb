using Pki.Core.Errors;
using Pki.Core.Reports;

namespace Pki.Tests.Unit.Reports;

public sealed class ReportFilterTests
{
    [Fact]
    public void Dates_mean_their_first_moment_in_UTC_and_times_need_an_offset()
    {
        var filter = ReportFilter.Parse("payments", "2026-12-01", "2026-12-31T18:00:00+01:00");
        Assert.Equal(("payments", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.Zero)),
            (filter.Team, filter.ExpiresFrom, filter.ExpiresTo));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), ReportFilter.Parse(null, "2026-12-01T08:00:00Z", null).ExpiresFrom);
        Assert.Equal(new ReportFilter(), ReportFilter.Parse(null, null, null));
    }

    [Theory]
    [InlineData(null, "yesterday", null, "expiresFrom")]
    [InlineData(null, null, "2026-13-01", "expiresTo")]
    [InlineData(null, "2026-12-01T08:00:00", null, "offset")]
    [InlineData(null, "2026-12-02", "2026-12-01", "after expiresTo")]
    [InlineData("", null, null, "team")]
    [InlineData("a\nb", null, null, "team")]
    public void Malformed_or_contradictory_filters_are_refused_naming_the_filter(string? team, string? from, string? to, string fragment)
    {
        var problem = Assert.Throws<ProblemException>(() => ReportFilter.Parse(team, from, to));
        Assert.Equal(ProblemKind.BadRequest, problem.Kind);
        Assert.Equal("invalid-filter", problem.Type);
        Assert.Contains(fragment, problem.Detail, StringComparison.Ordinal);
    }
}
