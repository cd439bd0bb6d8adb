using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Storage;

namespace Pki.Core.Acme;

/// <summary>ACME's services; called by <see cref="PkiServiceCollectionExtensions"/>.</summary>
public static class AcmeServiceCollectionExtensions
{
    public static IServiceCollection AddPkiAcme(this IServiceCollection services)
    {
        services.AddSingleton<IAcmeStore, TableAcmeStore>();
        services.AddSingleton<IAcmeValidationQueue, StorageAcmeValidationQueue>();
        services.AddSingleton<AcmeNonces>();
        services.AddSingleton<AcmeRequestVerifier>();
        services.AddSingleton<EabKeyWrap>();
        services.AddSingleton<EabService>();
        services.AddSingleton<AcmeDirectoryService>();
        services.AddSingleton<AcmeAccountService>();
        services.AddSingleton<AcmeKeyChangeService>();
        services.AddSingleton<AcmeOrderService>();
        services.AddSingleton<AcmeRevocationService>();
        services.AddSingleton<AcmeRenewalInfoService>();
        services.AddSingleton<AcmeEarlyRenewal>();
        services.AddSingleton<Renewal.IExternalEarlyRenewal>(sp => sp.GetRequiredService<AcmeEarlyRenewal>());
        services.AddSingleton<AcmeReplacementLinks>();
        services.AddSingleton<Renewal.IExternalRenewal, AcmeRenewalWindowCheck>();
        services.AddSingleton<IChallengeValidator, Http01Validator>();
        services.AddSingleton<IChallengeValidator, TlsAlpn01Validator>();
        services.AddSingleton<IChallengeValidator, Dns01Validator>();
        services.AddSingleton<AcmeValidationService>();
        services.AddSingleton<AcmeValidationStarter>();
        services.AddHostedService(sp => sp.GetRequiredService<AcmeValidationStarter>());
        return services;
    }
}
