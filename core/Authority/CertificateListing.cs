using Pki.Core.Access;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>
/// <c>GET /api/certificates</c>: the certificates issued here, filtered and paged, each caller seeing only the teams it
/// may read. Filters are checked before anything is read; a bad one is a 400 naming the parameter.
/// </summary>
public sealed class CertificateListing(ICertificateStore certificates, ProfileCatalog profiles, CallerContext callers)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxOwnerLength = 256;

    /// <summary>How many successor records a page reads at once to show only links to issued certificates.</summary>
    private const int LinkReadConcurrency = 8;

    public static readonly IReadOnlyList<string> Parameters = ["team", "owner", "status", "profile", "expiresBefore", "expiresAfter", "pageSize", "continuationToken"];

    /// <summary>One page; <paramref name="parameters"/> are the query string's parameters, each given once.</summary>
    public async Task<CertificateListView> ListAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);

        // Parameter names in any case, as ASP.NET Core reads a query string.
        parameters = new Dictionary<string, string>(parameters, StringComparer.OrdinalIgnoreCase);
        if (parameters.Keys.FirstOrDefault(k => !Parameters.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw Invalid($"'{Clip(unknown)}' is no parameter of this listing; use {string.Join(", ", Parameters)}.");
        }

        var query = Parse(parameters);
        var pageSize = PageSize(parameters.GetValueOrDefault("pageSize"));
        var page = await certificates.QueryAsync(ScopeToCaller(query), pageSize, parameters.GetValueOrDefault("continuationToken"), cancellationToken).ConfigureAwait(false);

        var items = new CertificateSummary[page.Records.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Length), new ParallelOptions { MaxDegreeOfParallelism = LinkReadConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
            items[i] = Summary(page.Records[i], await CertificateLinks.IssuedSuccessorAsync(certificates, page.Records[i], ct).ConfigureAwait(false))).ConfigureAwait(false);
        return new CertificateListView(items, page.ContinuationToken);
    }

    private CertificateQuery Parse(IReadOnlyDictionary<string, string> p)
    {
        var team = p.GetValueOrDefault("team") is { } t ? Teams.Normalize(t) : null;
        if (p.ContainsKey("team") && (team is null || team.Length > Teams.MaxNameLength || !team.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw Invalid($"team must be 1 to {Teams.MaxNameLength} ASCII letters, digits, '-', '_' or '.'; got '{Clip(p["team"])}'.");
        }

        var owner = p.GetValueOrDefault("owner")?.Trim();
        if (owner is not null && (owner.Length is 0 or > MaxOwnerLength || owner.Any(char.IsControl)))
        {
            throw Invalid($"owner must be 1 to {MaxOwnerLength} printable characters.");
        }

        CertificateStatus? status = p.GetValueOrDefault("status")?.ToLowerInvariant() switch
        {
            null => null,
            "issued" => CertificateStatus.Issued,
            "revoked" => CertificateStatus.Revoked,
            _ => throw Invalid($"status must be issued or revoked; got '{Clip(p["status"])}'."),
        };

        var profile = p.GetValueOrDefault("profile");
        if (profile is not null && !profiles.Names.Contains(profile))
        {
            throw Invalid($"profile must be one of {string.Join(", ", profiles.Names)}; got '{Clip(profile)}'.");
        }

        var before = FilterTime.Parse("expiresBefore", p.GetValueOrDefault("expiresBefore"));
        var after = FilterTime.Parse("expiresAfter", p.GetValueOrDefault("expiresAfter"));
        if (before is not null && after is not null && after >= before)
        {
            throw Invalid($"expiresAfter ({after:O}) must be earlier than expiresBefore ({before:O}).");
        }

        return new CertificateQuery(team, owner, status, profile, before, after);
    }

    private static int PageSize(string? text)
    {
        if (text is null)
        {
            return DefaultPageSize;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= MaxPageSize
            ? size
            : throw ProblemException.BadRequest("invalid-page-size", $"pageSize must be a whole number from 1 to {MaxPageSize}; got '{Clip(text)}'.");
    }

    /// <summary>A caller who does not read every team lists its own team's certificates only; asking for another team is refused.</summary>
    private CertificateQuery ScopeToCaller(CertificateQuery query)
    {
        var caller = callers.Current;
        if (caller.Has(Permission.ReadAllTeams))
        {
            return query;
        }

        if (caller.Team is null || (query.Team is { } asked && !caller.CanRead(asked)))
        {
            throw ProblemException.Forbidden("not-your-team", $"Caller '{caller.Id}' may list only its own team's certificates (team: {caller.Team ?? "none"}).");
        }

        return query with { Team = caller.Team };
    }

    private static CertificateSummary Summary(CertificateRecord r, string? successor) => new(
        r.SerialNumber,
        r.Subject,
        r.NotBefore,
        r.NotAfter,
        r.Profile,
        r.Owner,
        r.Team,
        r.Status.ToString().ToLowerInvariant(),
        r.IssuerId,
        AutoRenewal.AutoRenews(r),
        r.RevokedAt,
        r.RevocationReason is { } reason ? RevocationReasons.Name(reason) : null,
        r.PredecessorSerial,
        successor);

    private static ProblemException Invalid(string detail) => ProblemException.BadRequest("invalid-filter", detail);

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
