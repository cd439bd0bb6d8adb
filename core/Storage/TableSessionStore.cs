using Azure.Data.Tables;
using Pki.Core.Access.Sessions;

namespace Pki.Core.Storage;

/// <summary>One row per session, partitioned by the SHA-256 of its id: a point read per request, no hot partition.</summary>
public sealed class TableSessionStore(TableStorage storage) : ISessionStore
{
    private const string Row = "session";

    public async Task AddAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var entity = new TableEntity(session.IdHash, Row)
        {
            ["KeyHash"] = session.KeyHash,
            ["CreatedAt"] = session.CreatedAt,
            ["ExpiresAt"] = session.ExpiresAt,
        };

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
}
