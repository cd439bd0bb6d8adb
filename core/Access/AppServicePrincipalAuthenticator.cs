using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pki.Core.Access;

/// <summary>
/// The principal App Service authentication ("Easy Auth") puts in <c>X-MS-CLIENT-PRINCIPAL</c> after it validated
/// the caller. Trusted only where configured, since elsewhere anyone could send the header.
/// </summary>
public sealed class AppServicePrincipalAuthenticator(AccessOptions options) : IAuthenticator
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const int MaxPrincipalLength = 32 * 1024;
    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public const string SchemeName = "app-service";

    /// <summary>App Service authentication's own session cookie: what a browser signed in through Entra ID sends with every call.</summary>
    public const string SessionCookieName = "AppServiceAuthSession";

    public string Scheme => SchemeName;

    public bool Enabled => options.TrustAppServicePrincipal;

    public Task<AuthenticationResult> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        var encoded = Enabled ? header(PrincipalHeader) : null;
        if (string.IsNullOrEmpty(encoded))
        {
            return Task.FromResult(AuthenticationResult.None);
        }

        Principal? principal;
        try
        {
            principal = encoded.Length <= MaxPrincipalLength
                ? JsonSerializer.Deserialize<Principal>(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)))
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            principal = null;
        }

        if (principal?.Claims is not { } claims)
        {
            return Task.FromResult(AuthenticationResult.Fail($"The {PrincipalHeader} header is not a principal."));
        }

        string? Claim(string type) => claims.FirstOrDefault(c => c.Type == type)?.Value;
        var id = Claim(ObjectIdClaim) ?? Claim("oid") ?? Claim(principal.NameType ?? "name");
        if (string.IsNullOrWhiteSpace(id))
        {
            return Task.FromResult(AuthenticationResult.Fail($"The {PrincipalHeader} principal names no object id."));
        }

        var roleType = principal.RoleType ?? "roles";
        var roles = claims.Where(c => c.Type == roleType || c.Type == "roles").Select(c => c.Value).Where(Roles.All.Contains);
        var team = options.Entra.TeamOf(Claim, claims.Where(c => c.Type == "groups").Select(c => c.Value));
        return Task.FromResult(AuthenticationResult.Success(new Caller(id, team, roles, Scheme)));
    }

    private sealed record Principal(
        [property: JsonPropertyName("auth_typ")] string? AuthType,
        [property: JsonPropertyName("name_typ")] string? NameType,
        [property: JsonPropertyName("role_typ")] string? RoleType,
        [property: JsonPropertyName("claims")] List<PrincipalClaim>? Claims);

    private sealed record PrincipalClaim(
        [property: JsonPropertyName("typ")] string Type,
        [property: JsonPropertyName("val")] string Value);
}
