using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Storage;

namespace Pki.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>Registers the hash-chained audit trail and its verifier; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiAudit(this IServiceCollection services)
    {
        // The audit trail: every state change appends one hash-chained record through IAuditTrail.
        services.AddSingleton<IAuditStore, TableAuditStore>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<IAuditCheckStore, TableAuditCheckStore>();
        services.AddSingleton<AuditVerifier>();
        return services;
    }
}
