using Microsoft.Extensions.DependencyInjection;

namespace Pki.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the Table, Blob and Queue Storage clients; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiStorage(this IServiceCollection services)
    {
        services.AddSingleton<TableStorage>();
        services.AddSingleton<BlobStorage>();
        services.AddSingleton<QueueStorage>();
        return services;
    }
}
