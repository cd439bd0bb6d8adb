namespace Pki.Core.Reports;

/// <summary>Start-up checks of <c>Pki:Reports</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class ReportsOptionsValidation
{
    public static void Validate(ReportsOptions reports, List<string> errors)
    {
        const string p = PkiOptions.Section + ":Reports";
        if (reports.PageSize is < 1 or > 1000)
        {
            errors.Add($"{p}:PageSize must be between 1 and 1000 (a Table Storage page holds at most 1000); got {reports.PageSize}.");
        }

        if (reports.RecordReadConcurrency is < 1 or > 64)
        {
            errors.Add($"{p}:RecordReadConcurrency must be between 1 and 64; got {reports.RecordReadConcurrency}.");
        }

        if (reports.MaxOwnershipCertificates is < 1 or > 1_000_000)
        {
            errors.Add($"{p}:MaxOwnershipCertificates must be between 1 and 1000000; got {reports.MaxOwnershipCertificates}.");
        }

        if (reports.MaxDiscoveredLeafLifetimeDays is < 1 or > 36500)
        {
            errors.Add($"{p}:MaxDiscoveredLeafLifetimeDays must be between 1 and 36500; got {reports.MaxDiscoveredLeafLifetimeDays}.");
        }
    }
}
