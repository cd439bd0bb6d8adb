using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Pki.Core.Access;

/// <summary>
/// Microsoft Entra ID access tokens (<c>Authorization: Bearer</c>): signature by the tenant's published keys,
/// issuer (v2.0 and v1.0 forms of the tenant), audience and lifetime. Roles come from the app roles in the
/// <c>roles</c> claim (values requester, approver, auditor, admin), the team from a configured claim or group.
/// </summary>
public sealed class EntraTokenAuthenticator : IAuthenticator
{
    public const string AuthorizationHeader = "Authorization";
    public const string BearerPrefix = "Bearer ";

    /// <summary>A token longer than this is refused unread (an Entra access token is a few KiB).</summary>
    public const int MaxTokenLength = 16 * 1024;

    private readonly EntraOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _time;
    private readonly ILogger<EntraTokenAuthenticator> _logger;

    public EntraTokenAuthenticator(EntraOptions options, TimeProvider time, ILogger<EntraTokenAuthenticator> logger, HttpClient? metadataClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;
        if (options.Enabled)
        {
            var address = options.ResolvedMetadataAddress;
            var retriever = new HttpDocumentRetriever(metadataClient ?? new HttpClient()) { RequireHttps = address.StartsWith("https://", StringComparison.OrdinalIgnoreCase) };
            _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(), retriever);
        }
    }

    public string Scheme => "entra";

    public bool Enabled => _metadata is not null;

    public async Task<AuthenticationResult> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        var authorization = header(AuthorizationHeader);
        if (_metadata is null || authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticationResult.None;
        }

        var token = authorization[BearerPrefix.Length..].Trim();
        if (token.Length is 0 or > MaxTokenLength)
        {
            return AuthenticationResult.Fail("The bearer token is empty or too long.");
        }

        var configuration = await _metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        var result = await _handler.ValidateTokenAsync(token, Parameters(configuration)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The tenant may have rolled its keys since we read them: read them again once.
            _metadata.RequestRefresh();
            configuration = await _metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            result = await _handler.ValidateTokenAsync(token, Parameters(configuration)).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            _logger.LogInformation("Refused an Entra token: {Reason}", result.Exception?.GetType().Name);
            return AuthenticationResult.Fail($"The bearer token is not valid for this service ({Describe(result.Exception)}).");
        }

        var claims = result.ClaimsIdentity;
        var id = claims.FindFirst("oid")?.Value ?? claims.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(id))
        {
            return AuthenticationResult.Fail("The bearer token names no subject (oid or sub).");
        }

        var roles = claims.FindAll("roles").Select(c => c.Value).Where(Roles.All.Contains);
        var team = _options.TeamOf(type => claims.FindFirst(type)?.Value, claims.FindAll("groups").Select(g => g.Value));
        return AuthenticationResult.Success(new Caller(id, team, roles, Scheme));
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration) => new()
    {
        ValidIssuers = [configuration.Issuer, $"https://sts.windows.net/{_options.TenantId}/"],
        ValidAudiences = _options.Audiences,
        IssuerSigningKeys = configuration.SigningKeys,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromMinutes(2),
        LifetimeValidator = (notBefore, expires, _, p) =>
        {
            var now = _time.GetUtcNow().UtcDateTime;
            return (notBefore is null || notBefore.Value - p.ClockSkew <= now) && expires is not null && now < expires.Value + p.ClockSkew;
        },
    };

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenInvalidLifetimeException => "outside its lifetime",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "signature not by the tenant's keys",
        _ => "malformed",
    };
}
