using Azure;
using Azure.Data.Tables;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Signing;

namespace Pki.Core.Storage;

/// <summary>The current OCSP responder of each CA, one row per CA in the authorities table.</summary>
public sealed class TableResponderStore(TableStorage storage) : IResponderStore
{
    private const string Partition = "ocsp-responder";

    public async Task<ResponderRecord?> GetAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, issuerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        return new ResponderRecord(issuerId, e.GetBinary("CertificateDer"), KeyUri.Parse(e.GetString("KeyUri")), e.GetDateTimeOffset("NotAfter")!.Value, e.ETag.ToString());
    }

    public async Task<bool> TryReplaceAsync(ResponderRecord next, ResponderRecord? previous, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, next.IssuerId)
        {
            ["CertificateDer"] = next.CertificateDer,
            ["KeyUri"] = next.KeyUri.ToString(),
            ["NotAfter"] = next.NotAfter,
        };
        if (previous?.Version is null)
        {
            return await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false) is not null;
        }

        try
        {
            await table.UpdateEntityAsync(entity, new ETag(previous.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }
}
