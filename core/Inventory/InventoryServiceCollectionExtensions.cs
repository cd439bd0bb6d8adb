using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Core.Storage;

namespace Pki.Core.Inventory;

public static class InventoryServiceCollectionExtensions
{
    /// <summary>Registers the inventory, its owner rules and recorder; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiInventory(this IServiceCollection services)
    {
        services.AddSingleton<IInventoryItemStore, TableInventoryItemStore>();
        services.AddSingleton<IInventoryLocationStore, TableInventoryLocationStore>();
        services.AddSingleton<IInventoryNameIndex, TableInventoryNameIndex>();
        services.AddSingleton(sp => new OwnerRules(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Inventory));
        services.AddSingleton<TrustAnchors>();
        services.AddSingleton<InventoryRecorder>();
        services.AddSingleton<InventoryService>();
        return services;
    }
}
