using System.Security.Cryptography;
using System.Text;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using Pki.Core.Discovery;

namespace Pki.Core.Acme;

/// <summary>
/// dns-01 (RFC 8555 §8.4): a TXT record at <c>_acme-challenge.{name}</c> must hold base64url(SHA-256(key authorization)).
/// The question goes to <see cref="AcmeOptions.DnsResolver"/> (or the system's resolvers, as http-01's name lookups do);
/// a configured resolver is a validation target like any other and must lie inside <c>Pki:Discovery:AllowedNetworks</c>.
/// No cache, <see cref="AcmeOptions.ValidationTimeoutSeconds"/> per try, one retry, and a DNS message is at most 64 KiB.
/// </summary>
public sealed class Dns01Validator : IChallengeValidator
{
    public const string Label = "_acme-challenge.";

    private readonly NetworkPolicy _network;
    private readonly AcmeOptions _acme;
    private readonly Lazy<LookupClient> _client;

    public Dns01Validator(NetworkPolicy network, IOptions<PkiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _network = network;
        _acme = options.Value.Acme;
        _client = new Lazy<LookupClient>(() =>
        {
            var resolver = _acme.DnsResolverEndPoint();
            var settings = resolver is null ? new LookupClientOptions() : new LookupClientOptions(resolver);
            settings.UseCache = false;
            settings.Timeout = TimeSpan.FromSeconds(_acme.ValidationTimeoutSeconds);
            settings.Retries = 1;
            settings.ThrowDnsErrors = false;
            settings.UseTcpFallback = true;
            return new LookupClient(settings);
        });
    }

    public string Type => AcmeChallenge.Dns01;

    /// <summary>The TXT value RFC 8555 §8.4 asks for.</summary>
    public static string ExpectedValue(string keyAuthorization) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization ?? throw new ArgumentNullException(nameof(keyAuthorization)))));

    public async Task<AcmeValidationResult> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Type != AcmeIdentifier.Dns)
        {
            return AcmeValidationResult.Failure(AcmeErrors.RejectedIdentifier, $"dns-01 validates dns identifiers only, not {identifier.Type}.");
        }

        // Start-up validation refuses such a setting; checked again here because this is where the connection is made.
        if (_acme.DnsResolverEndPoint() is { } resolver && !_network.IsAllowed(resolver.Address))
        {
            return AcmeValidationResult.Failure(AcmeErrors.ServerInternal,
                $"The dns-01 resolver {resolver} (Pki:Acme:DnsResolver) lies outside Pki:Discovery:AllowedNetworks; this server may not ask it.");
        }

        var name = Label + identifier.Value;
        IDnsQueryResponse response;
        try
        {
            response = await _client.Value.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Dns, $"The resolver gave no answer for TXT {name}: {e.Message}");
        }

        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Unauthorized, $"{name} does not exist (NXDOMAIN); no TXT record holds the key authorization's digest.");
        }

        if (response.HasError)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Dns, $"The resolver answered {response.ErrorMessage} for TXT {name}.");
        }

        var values = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
        if (values.Count == 0)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Unauthorized, $"No TXT record found at {name}.");
        }

        var expected = ExpectedValue(keyAuthorization);
        return values.Contains(expected, StringComparer.Ordinal)
            ? AcmeValidationResult.Success
            : AcmeValidationResult.Failure(AcmeErrors.IncorrectResponse,
                $"The TXT records at {name} ({string.Join(", ", values.Take(5).Select(v => '"' + Clip(v) + '"'))}{(values.Count > 5 ? ", …" : string.Empty)}) do not hold the key authorization's digest.");
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
