using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Azure.Core;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Discovery.Sweeps;
using Pki.Core.Discovery.Targets;
using Pki.Core.Storage;

namespace Pki.Core.Discovery;

public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>Registers discovery targets, sweeps, the TLS scanner and Key Vault sources; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiDiscovery(this IServiceCollection services)
    {
        services.AddSingleton<NetworkPolicy>();
        services.AddSingleton<ITlsScanner, TlsScanner>();
        services.AddSingleton<ITargetStore, TableTargetStore>();
        services.AddSingleton<TargetService>();
        services.AddSingleton<ISweepStore, TableSweepStore>();
        services.AddSingleton<ISweepQueue, StorageSweepQueue>();
        services.AddSingleton<SweepService>();

        services.AddSingleton<IOptions<DiscoveryOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Discovery));
        services.AddSingleton<IKeyVaultClientFactory>(sp => new KeyVaultClientFactory(sp.GetRequiredService<TokenCredential>()));
        services.AddSingleton<IKeyVaultCertificateSource, KeyVaultCertificateSource>();
        return services;
    }
}
