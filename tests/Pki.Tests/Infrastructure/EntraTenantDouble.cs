using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Stands in for an Entra ID tenant as a resource server sees it: the OpenID configuration document and the JWKS
/// it names (the public contract of <c>/{tenant}/v2.0/.well-known/openid-configuration</c>), and access tokens
/// signed with the tenant's key, or with a key it never published.
/// </summary>
public sealed class EntraTenantDouble : IAsyncDisposable
{
    public const string Audience = "api://serverless-pki-tests";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _unpublished = RSA.Create(2048);
    private WebApplication _app = null!;

    public string TenantId { get; } = Guid.NewGuid().ToString();

    public string Issuer => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    public string MetadataAddress { get; private set; } = string.Empty;

    public static async Task<EntraTenantDouble> StartAsync()
    {
        var tenant = new EntraTenantDouble();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        tenant._app = builder.Build();
        tenant._app.MapGet("/{tenantId}/v2.0/.well-known/openid-configuration", (HttpContext c) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = tenant.Issuer,
            ["jwks_uri"] = $"{c.Request.Scheme}://{c.Request.Host}/{tenant.TenantId}/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        tenant._app.MapGet("/{tenantId}/discovery/v2.0/keys", () =>
        {
            var p = tenant._key.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", kid = "tenant-key", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        await tenant._app.StartAsync();
        var address = tenant._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tenant.MetadataAddress = $"{address}/{tenant.TenantId}/v2.0/.well-known/openid-configuration";
        return tenant;
    }

    /// <summary>Host settings that make a dev host accept this tenant's tokens; group <paramref name="groupId"/> is team <paramref name="team"/>.</summary>
    public string[] HostArgs(string groupId, string team) =>
    [
        "--Pki:Access:Entra:TenantId=" + TenantId,
        "--Pki:Access:Entra:Audiences:0=" + Audience,
        "--Pki:Access:Entra:MetadataAddress=" + MetadataAddress,
        $"--Pki:Access:Entra:GroupTeams:{groupId}={team}",
    ];

    /// <summary>An access token; every part can be made wrong on purpose.</summary>
    public string Token(
        string[] roles,
        string[]? groups = null,
        string? audience = null,
        string? issuer = null,
        DateTime? expires = null,
        bool unpublishedKey = false,
        string? objectId = null)
    {
        var claims = new List<Claim> { new("oid", objectId ?? Guid.NewGuid().ToString()), new("tid", TenantId) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange((groups ?? []).Select(g => new Claim("groups", g)));
        var notAfter = expires ?? DateTime.UtcNow.AddHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = notAfter.AddHours(-1),
            NotBefore = notAfter.AddHours(-1),
            Expires = notAfter,
            SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(unpublishedKey ? _unpublished : _key) { KeyId = unpublishedKey ? "rogue-key" : "tenant-key" }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
        _unpublished.Dispose();
    }
}
