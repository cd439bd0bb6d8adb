using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core;
using Pki.Functions.Http;

namespace Pki.Functions;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Everything the function classes need; the Functions host and the local dev host both call this.</summary>
    public static IServiceCollection AddPkiFunctions(this IServiceCollection services, IConfiguration configuration) =>
        services.AddPkiCore(configuration).AddSingleton<HttpFunction>().AddSingleton<AcmeHttp>();
}
