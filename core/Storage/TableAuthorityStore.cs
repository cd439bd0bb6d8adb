using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;
using Pki.Core.Signing;

namespace Pki.Core.Storage;

/// <summary>CA records in one partition: one point read per CA, one partition read to list them.</summary>
public sealed class TableAuthorityStore(TableStorage storage) : IAuthorityStore
{
    private const string Partition = "authority";

    public async Task<CertificateAuthority?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(id))
        {
            return null;
        }

        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<CertificateAuthority>> ListAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var result = new List<CertificateAuthority>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(FromEntity(entity));
        }

        return result;
    }

    public async Task<bool> TryAddAsync(CertificateAuthority authority, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, authority.Id)
        {
            ["Role"] = authority.Role.ToString(),
            ["Subject"] = authority.Subject,
            ["CertificateDer"] = authority.CertificateDer,
            ["ParentId"] = authority.ParentId,
            ["NotAfter"] = authority.NotAfter,
            ["KeyUri"] = authority.KeyUri.ToString(),
            ["KeyProvider"] = authority.KeyProvider,
            ["Scheme"] = authority.Scheme.ToString(),
        };
        return await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false) is not null;
    }

    private static CertificateAuthority FromEntity(TableEntity e) => new(
        e.RowKey,
        Enum.Parse<CaRole>(e.GetString("Role")),
        e.GetString("Subject"),
        e.GetBinary("CertificateDer"),
        e.GetString("ParentId"),
        e.GetDateTimeOffset("NotAfter")!.Value,
        KeyUri.Parse(e.GetString("KeyUri")),
        e.GetString("KeyProvider"),
        Enum.Parse<SignatureScheme>(e.GetString("Scheme")));
}
