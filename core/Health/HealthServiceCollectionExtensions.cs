using Microsoft.Extensions.DependencyInjection;

namespace Pki.Core.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>Registers the service's health checks (CA keys, CRLs, OCSP, audit chain); called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiHealth(this IServiceCollection services)
    {
        services.AddSingleton<ServiceHealth>();
        return services;
    }
}
