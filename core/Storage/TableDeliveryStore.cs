using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Delivery;

namespace Pki.Core.Storage;

/// <summary>
/// One table: a certificate's target in its own partition (the serial, row "keyvault"), read by point read; the
/// operations in flight in partition "open", one row per vault certificate, read by the resume pass in one range
/// query and deleted when done, so the partition holds only what is open.
/// </summary>
public sealed class TableDeliveryStore(TableStorage storage) : IDeliveryStore
{
    private const string TargetRow = "keyvault";
    private const string OpenPartition = "open";

    public async Task<KeyVaultTarget?> GetTargetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Deliveries, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(serialNumber, TargetRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? new KeyVaultTarget(new Uri(row.Value!.GetString("VaultUri")), row.Value.GetString("CertificateName")) : null;
    }

    /// <summary>An insert-or-merge: a target changed by hand keeps the key settings the row had.</summary>
    public Task SetTargetAsync(string serialNumber, KeyVaultTarget target, DeliveryKeySettings? key = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var row = new TableEntity(serialNumber, TargetRow)
        {
            ["VaultUri"] = target.VaultUri.ToString(),
            ["CertificateName"] = target.CertificateName,
        };
        if (key is not null)
        {
            row["KeyType"] = key.KeyType;
            row["KeySize"] = key.KeySize;
            row["Exportable"] = key.Exportable;
        }

        return storage.WriteAsync(TableNames.Deliveries, new TableTransactionAction(TableTransactionActionType.UpsertMerge, row), cancellationToken);
    }

    public async Task<DeliveryKeySettings?> GetKeySettingsAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Deliveries, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(serialNumber, TargetRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value!.GetString("KeyType") is { } keyType
            ? new DeliveryKeySettings(keyType, row.Value.GetInt32("KeySize") ?? 0, row.Value.GetBoolean("Exportable") ?? false)
            : null;
    }

    public async Task<DeliveryOperation?> TryAddAsync(DeliveryOperation operation, CancellationToken cancellationToken = default) =>
        await storage.TryAddAsync(TableNames.Deliveries, ToEntity(operation), cancellationToken).ConfigureAwait(false) is { } etag
            ? operation with { Version = etag.ToString() }
            : null;

    public async Task<DeliveryOperation?> GetAsync(KeyVaultTarget target, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Deliveries, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(OpenPartition, RowKey(target), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    public async Task<DeliveryOperation?> TryUpdateAsync(DeliveryOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var etag = await storage.TryReplaceAsync(TableNames.Deliveries, ToEntity(operation), new ETag(operation.Version ?? throw new ArgumentException("The operation was not read from the store.", nameof(operation))), cancellationToken).ConfigureAwait(false);
        return etag is { } written ? operation with { Version = written.ToString() } : null;
    }

    public Task<bool> TryDeleteAsync(DeliveryOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return storage.TryDeleteAsync(TableNames.Deliveries, OpenPartition, RowKey(operation.Target), new ETag(operation.Version ?? "*"), cancellationToken);
    }

    public async IAsyncEnumerable<DeliveryOperation> ListOpenAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Deliveries, cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == OpenPartition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(row);
        }
    }

    /// <summary>The vault's authority (host, and a port other than 443) and the name: neither holds a character a row key forbids.</summary>
    private static string RowKey(KeyVaultTarget target) => $"{target.VaultUri.Authority}|{target.CertificateName}";

    private static TableEntity ToEntity(DeliveryOperation o) => new(OpenPartition, RowKey(o.Target))
    {
        ["VaultUri"] = o.Target.VaultUri.ToString(),
        ["CertificateName"] = o.Target.CertificateName,
        ["Kind"] = o.Kind.ToString(),
        ["RequestId"] = o.RequestId,
        ["Profile"] = o.Profile,
        ["Owner"] = o.Owner,
        ["Team"] = o.Team,
        ["DnsNames"] = JsonSerializer.Serialize(o.DnsNames),
        ["CommonName"] = o.CommonName,
        ["ValidityDays"] = o.ValidityDays,
        ["AutoRenew"] = o.AutoRenew,
        ["KeyType"] = o.KeyType,
        ["KeySize"] = o.KeySize,
        ["Exportable"] = o.Exportable,
        ["ReuseKey"] = o.ReuseKey,
        ["CreatedAt"] = o.CreatedAt,
        ["PredecessorSerial"] = o.PredecessorSerial,
        ["SerialNumber"] = o.SerialNumber,
        ["Attempts"] = o.Attempts,
        ["NextAttemptAt"] = o.NextAttemptAt,
        ["LeaseUntil"] = o.LeaseUntil,
        ["LastError"] = o.LastError,
        ["ApprovalRequestId"] = o.ApprovalRequestId,
        ["RequesterId"] = o.RequesterId,
        ["RequesterTeam"] = o.RequesterTeam,
        ["RequesterRoles"] = o.RequesterRoles is null ? null : JsonSerializer.Serialize(o.RequesterRoles),
    };

    private static DeliveryOperation FromEntity(TableEntity e) => new(
        new KeyVaultTarget(new Uri(e.GetString("VaultUri")), e.GetString("CertificateName")),
        Enum.Parse<DeliveryKind>(e.GetString("Kind")),
        e.GetString("RequestId"),
        e.GetString("Profile"),
        e.GetString("Owner"),
        e.GetString("Team"),
        JsonSerializer.Deserialize<string[]>(e.GetString("DnsNames") ?? "[]") ?? [],
        e.GetString("CommonName"),
        e.GetInt32("ValidityDays"),
        e.GetBoolean("AutoRenew"),
        e.GetString("KeyType"),
        e.GetInt32("KeySize") ?? 0,
        e.GetBoolean("Exportable") ?? false,
        e.GetBoolean("ReuseKey") ?? false,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetString("PredecessorSerial"),
        e.GetString("SerialNumber"),
        e.GetInt32("Attempts") ?? 0,
        e.GetDateTimeOffset("NextAttemptAt"),
        e.GetDateTimeOffset("LeaseUntil"),
        e.GetString("LastError"),
        e.GetString("ApprovalRequestId"),
        e.GetString("RequesterId"),
        e.GetString("RequesterTeam"),
        e.GetString("RequesterRoles") is { } roles ? JsonSerializer.Deserialize<string[]>(roles) : null,
        e.ETag.ToString());
}
