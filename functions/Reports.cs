using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Errors;
using Pki.Core.Reports;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>The ownership matrix and the compliance report (JSON or CSV, streamed), for auditors and admins.</summary>
public sealed class Reports(HttpFunction http, ReportService reports, ILogger<Reports> logger)
{
    private const string CsvFormat = "csv";
    private const string JsonFormat = "json";

    [ApiOperation("The ownership matrix: team, owner, certificates.", Response = typeof(OwnershipReport), Permission = nameof(Permission.ReadReports))]
    [ApiQuery("team", "The team.")]
    [ApiQuery("expiresFrom", "Not after from (inclusive).")]
    [ApiQuery("expiresTo", "Not after to (inclusive).")]
    [Function(nameof(GetOwnershipReport))]
    public Task<IActionResult> GetOwnershipReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OwnershipReport)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadReports, async () =>
            Json.Result(await reports.OwnershipAsync(Filter(req.Query), cancellationToken)));

    [ApiOperation("The compliance report, JSON or CSV (?format= or Accept), streamed.", Response = typeof(Reports.ComplianceDocument), ResponseMediaType = "application/json, text/csv", Permission = nameof(Permission.ReadReports))]
    [ApiQuery("team", "The team.")]
    [ApiQuery("expiresFrom", "Not after from (inclusive).")]
    [ApiQuery("expiresTo", "Not after to (inclusive).")]
    [ApiQuery("format", "csv or json.")]
    [Function(nameof(GetComplianceReport))]
    public Task<IActionResult> GetComplianceReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ComplianceReport)] HttpRequest req) =>
        http.RunAsync(req, logger, Permission.ReadReports, () =>
        {
            var csv = WantsCsv(req);
            var report = reports.OpenCompliance(Filter(req.Query));
            IActionResult result = csv
                ? new StreamedResult(Csv.ContentType, $"compliance-{report.GeneratedAt:yyyyMMdd'T'HHmmss'Z'}.csv", (body, ct) => ComplianceCsvWriter.WriteAsync(report, body, ct), logger)
                : new StreamedResult(ComplianceJsonWriter.ContentType, null, (body, ct) => ComplianceJsonWriter.WriteAsync(report, body, ct), logger);
            return Task.FromResult(result);
        });

    /// <summary>The JSON compliance report's shape (ComplianceJsonWriter writes it row by row), for the OpenAPI document.</summary>
    public sealed record ComplianceDocument(DateTimeOffset GeneratedAt, ReportFilter Filter, IReadOnlyList<ComplianceRow> Items, int Count);

    private static ReportFilter Filter(IQueryCollection query) =>
        ReportFilter.Parse(QueryParameters.Filter(query, "team"), QueryParameters.Filter(query, "expiresFrom"), QueryParameters.Filter(query, "expiresTo"));

    /// <summary>?format=csv|json decides; without it an Accept header naming text/csv does; JSON otherwise.</summary>
    private static bool WantsCsv(HttpRequest req) => QueryParameters.Filter(req.Query, "format")?.ToLowerInvariant() switch
    {
        CsvFormat => true,
        JsonFormat => false,
        null => req.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true),
        _ => throw ProblemException.BadRequest("invalid-format", "format must be csv or json."),
    };
}
