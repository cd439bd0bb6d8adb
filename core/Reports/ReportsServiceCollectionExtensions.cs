using Microsoft.Extensions.DependencyInjection;

namespace Pki.Core.Reports;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>Registers ownership and compliance reports; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiReports(this IServiceCollection services)
    {
        services.AddSingleton<ReportService>();
        return services;
    }
}
