namespace Pki.Core.Reports;

/// <summary>Settings of the ownership and compliance reports. Bound from <c>Pki:Reports</c>.</summary>
public sealed class ReportsOptions
{
    /// <summary>Inventory items read from Table Storage per page, and written to the response before the next is read.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Point reads of our certificate records running at once while a page is joined with them.</summary>
    public int RecordReadConcurrency { get; set; } = 8;

    /// <summary>
    /// Certificates the ownership report lists; beyond this it only counts them (and says it was truncated),
    /// so the one report that must group before it answers holds bounded memory.
    /// </summary>
    public int MaxOwnershipCertificates { get; set; } = 10_000;

    /// <summary>Longest lifetime accepted for a leaf we did not issue: 398 days, the CA/Browser Forum maximum since 2020.</summary>
    public int MaxDiscoveredLeafLifetimeDays { get; set; } = 398;
}
