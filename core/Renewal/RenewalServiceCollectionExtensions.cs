using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Core.Notifications;
using Pki.Core.Storage;

namespace Pki.Core.Renewal;

public static class RenewalServiceCollectionExtensions
{
    /// <summary>Registers the renewal index, planner, fan-out and renewers; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiRenewal(this IServiceCollection services)
    {
        // Renewal: the planner reads due buckets of the renewal index; the renewer issues through the RA.
        services.AddSingleton<IRenewalIndex, TableRenewalIndex>();
        services.AddSingleton<RenewalIndexer>();
        services.AddSingleton<IRenewalQueue, StorageRenewalQueue>();
        services.AddSingleton<RenewalPlanner>();
        services.AddSingleton<RenewalFanOut>();
        services.AddSingleton<RenewalService>();
        services.AddSingleton<RenewalRequestService>();
        services.AddSingleton<EarlyRenewalService>();
        services.TryAddSingleton<IRenewalNotifier, QueueRenewalNotifier>();
        return services;
    }
}
