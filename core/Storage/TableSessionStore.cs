using Azure.Data.Tables;
using Pki.Core.Access.Sessions;

namespace Pki.Core.Storage;

/// <summary>
/// One row per session, partitioned by the SHA-256 of its id: a point read per request, no hot partition. Beside it, an
/// expiry index (partition <c>expires-yyyyMMddHH</c>, one row per session ending in that hour; the ids' hex hashes never
/// start with "expires-" or "sweep") and the sweep's cursor, so the sweep reads only the hours that have passed.
/// </summary>
public sealed class TableSessionStore(TableStorage storage) : ISessionStore
{
    private const string Row = "session";
    private const string IndexPrefix = "expires-";
    private const string SweepPartition = "sweep";
    private const string SweepRow = "cursor";

    public async Task AddAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var entity = new TableEntity(session.IdHash, Row)
        {
            ["KeyHash"] = session.KeyHash,
            ["CreatedAt"] = session.CreatedAt,
            ["ExpiresAt"] = session.ExpiresAt,
        };

        // The index row first: a session never exists without the row by which the sweep finds it.
        await storage.UpsertAsync(TableNames.Sessions, new TableEntity(IndexPartition(session.ExpiresAt), session.IdHash), cancellationToken).ConfigureAwait(false);

        // 256 random bits: a collision is not a case to handle, so a 409 fails the sign-in.
        if (await storage.TryAddAsync(TableNames.Sessions, entity, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException("A session with this id exists already.");
        }
    }

    public async Task<SessionRecord?> GetAsync(string idHash, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Sessions, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(idHash, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e
            ? new SessionRecord(idHash, e.GetString("KeyHash") ?? string.Empty, e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("ExpiresAt") ?? default)
            : null;
    }

    public Task DeleteAsync(string idHash, CancellationToken cancellationToken = default) =>
        storage.DeleteAsync(TableNames.Sessions, idHash, Row, cancellationToken);

    public async IAsyncEnumerable<string> ListExpiringAsync(DateTimeOffset hour, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Sessions, cancellationToken).ConfigureAwait(false);
        var partition = IndexPartition(hour);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row.RowKey;
        }
    }

    public async Task DeleteExpiredAsync(DateTimeOffset hour, string idHash, CancellationToken cancellationToken = default)
    {
        await storage.DeleteAsync(TableNames.Sessions, idHash, Row, cancellationToken).ConfigureAwait(false);
        await storage.DeleteAsync(TableNames.Sessions, IndexPartition(hour), idHash, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset?> GetSweptThroughAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Sessions, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(SweepPartition, SweepRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value!.GetDateTimeOffset("Hour") : null;
    }

    public Task SetSweptThroughAsync(DateTimeOffset hour, CancellationToken cancellationToken = default) =>
        storage.UpsertAsync(TableNames.Sessions, new TableEntity(SweepPartition, SweepRow) { ["Hour"] = hour }, cancellationToken);

    private static string IndexPartition(DateTimeOffset at) => IndexPrefix + at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}
