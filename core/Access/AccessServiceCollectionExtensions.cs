using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access.Sessions;
using Pki.Core.Storage;

namespace Pki.Core.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>Registers callers, authenticators (every header scheme, then dashboard sessions), grants, rate limits; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiAccess(this IServiceCollection services)
    {
        services.AddSingleton<CallerContext>();
        services.AddSingleton<TeamGrants>();
        services.AddSingleton<IAuthenticator>(sp => new KeyAuthenticator("api-key", KeyAuthenticator.ApiKeyHeader, sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.ApiKeys));
        services.AddSingleton<IAuthenticator>(sp => new KeyAuthenticator("function-key", KeyAuthenticator.FunctionKeyHeader, sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.FunctionKeys));
        services.AddSingleton<IAuthenticator>(sp => new EntraTokenAuthenticator(
            sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.Entra, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EntraTokenAuthenticator>>()));
        services.AddSingleton<IAuthenticator>(sp => new AppServicePrincipalAuthenticator(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access));
        // Dashboard sessions (a cookie opened with an API key) resolve to the key's caller; tried after every header scheme.
        services.AddSingleton<ISessionStore, TableSessionStore>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<ISignInAttemptStore, TableSignInAttemptStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<IAuthenticator, SessionAuthenticator>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<IRateLimitStore, TableRateLimitStore>();
        services.AddSingleton<IssuanceRateLimiter>();
        return services;
    }
}
