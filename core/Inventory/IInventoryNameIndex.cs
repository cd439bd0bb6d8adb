namespace Pki.Core.Inventory;

/// <summary>Our own leaf certificates by DNS name, so "is there a newer one for these names" is one partition read.</summary>
public interface IInventoryNameIndex
{
    Task UpsertNameAsync(NamedCertificate entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<NamedCertificate>> ListByNameAsync(string dnsName, CancellationToken cancellationToken = default);
}
