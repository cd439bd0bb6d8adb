using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Delivery;
using Pki.Core.Discovery;
using Pki.Core.Events;
using Pki.Core.Health;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Reports;
using Pki.Core.Renewal;
using Pki.Core.Revocation;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Signing;
using Pki.Core.Storage;

namespace Pki.Core;

public static class PkiServiceCollectionExtensions
{
    /// <summary>Registers the domain services; the same call serves the Functions host and the dev host.</summary>
    public static IServiceCollection AddPkiCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound so that a value that does not fit its setting is reported with the others, naming it, not thrown.
        services.AddOptions<PkiOptions>().Configure(o => PkiOptionsBinding.Bind(configuration.GetSection(PkiOptions.Section), o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PkiOptions>, PkiOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddPkiStorage();
        services.AddPkiSigning();
        services.AddPkiAccess();
        services.AddPkiAudit();
        services.AddPkiHealth();
        services.AddPkiAuthority();
        services.AddPkiRevocation();
        services.AddPkiRenewal();

        // Delivery: certificates made in and merged into Key Vault (enrollment, renewal, and a timer that resumes them).
        services.AddSingleton<IDeliveryStore, TableDeliveryStore>();
        services.AddSingleton<KeyVaultDelivery>();
        services.TryAddSingleton<IDeliveryNotifier, EmailDeliveryNotifier>();

        services.AddPkiEvents();
        services.AddPkiInventory();
        services.AddPkiReports();
        services.AddPkiDiscovery();
        services.AddPkiNotifications();
        services.AddPkiAcme();
        AddObservers(services);
        return services;
    }

    /// <summary>
    /// Who is told of an issuance, a revocation and an inventory write, in this order (stated here, not left to where
    /// each capability happens to register): lifecycle events first, so the event reaches the outbox right after the
    /// state it describes committed, before observers that may be slow or fail; then the renewal index (issuance only),
    /// pre-signed OCSP (issuance only) and the inventory. The inventory tells lifecycle events, then the expiry-notice index. Issuance observers start
    /// in this order and run together (a failure leaves the journal entry open for the repair pass); revocation and
    /// inventory observers run one after another in this order.
    /// </summary>
    private static void AddObservers(IServiceCollection services)
    {
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<RenewalIndexer>());
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<OcspResponder>());
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<InventoryRecorder>());
        services.AddSingleton<IRevocationObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.AddSingleton<IRevocationObserver>(sp => sp.GetRequiredService<InventoryRecorder>());
        services.AddSingleton<IInventoryObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.AddSingleton<IInventoryObserver, ExpiryNoticeIndexer>();
    }
}
