using System.Text;

namespace Pki.Core.Reports;

/// <summary>
/// Writes the compliance report as CSV: a header row, then one row per certificate, flushed page by page.
/// Lists (names, sources, finding and violation codes) are joined with ';'.
/// </summary>
public static class ComplianceCsvWriter
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "fingerprint", "serialNumber", "subject", "issuer", "issuerCaId", "dnsNames", "ipAddresses", "sources", "isCa", "status", "profile",
        "notBefore", "notAfter", "daysToExpiry", "keyAlgorithm", "keySize", "signatureAlgorithm", "owner", "team", "lastSeen",
        "findings", "violations", "violationDetails",
    ];

    /// <summary>Writes every row and returns how many; the stream is flushed after each page so the client receives it as it is read.</summary>
    public static async Task<long> WriteAsync(ComplianceReport report, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(Csv.Record(Columns).AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        long count = 0;
        await foreach (var page in report.Pages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in page)
            {
                await writer.WriteAsync(Csv.Record(Fields(row)).AsMemory(), cancellationToken).ConfigureAwait(false);
                count++;
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    public static IEnumerable<string> Fields(ComplianceRow r) =>
    [
        Csv.Text(r.Fingerprint), Csv.Text(r.SerialNumber), Csv.Text(r.Subject), Csv.Text(r.Issuer), Csv.Text(r.IssuerCaId),
        Csv.Text(string.Join(';', r.DnsNames)), Csv.Text(string.Join(';', r.IpAddresses)), Csv.Text(string.Join(';', r.Sources)),
        Csv.Boolean(r.IsCa), Csv.Text(r.Status), Csv.Text(r.Profile), Csv.Time(r.NotBefore), Csv.Time(r.NotAfter), Csv.Number(r.DaysToExpiry),
        Csv.Text(r.KeyAlgorithm), Csv.Number(r.KeySize), Csv.Text(r.SignatureAlgorithm), Csv.Text(r.Owner), Csv.Text(r.Team), Csv.Time(r.LastSeen),
        Csv.Text(string.Join(';', r.Findings.Select(f => f.Code))), Csv.Text(string.Join(';', r.Violations.Select(v => v.Code))),
        Csv.Text(string.Join(" | ", r.Violations.Select(v => $"{v.Code}: {v.Message}"))),
    ];
}
