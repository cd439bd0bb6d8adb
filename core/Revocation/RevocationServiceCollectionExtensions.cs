using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Storage;

namespace Pki.Core.Revocation;

public static class RevocationServiceCollectionExtensions
{
    /// <summary>Registers revocation, CRLs and OCSP; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiRevocation(this IServiceCollection services)
    {
        services.AddSingleton<IRevocationStore, TableRevocationStore>();
        services.AddSingleton<ICrlStore, BlobCrlStore>();
        services.AddSingleton<ICrlNumberStore, TableCrlNumberStore>();
        services.AddSingleton<IResponderStore, TableResponderStore>();
        services.AddSingleton<IOcspResponseStore, TableOcspResponseStore>();
        // The issuer asks how many CRL shards there are when it stamps a new certificate with its own; the setting is this capability's.
        services.AddSingleton<ICrlShardCount, CrlShardCount>();
        services.AddSingleton<CrlPublisher>();
        services.AddSingleton<CrlService>();
        services.AddSingleton<ResponderCertificates>();
        services.AddSingleton<OcspResponder>();
        services.AddSingleton<RevocationService>();
        return services;
    }
}
