using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Pki.Core.Discovery;

namespace Pki.Core.Acme;

/// <summary>
/// http-01 (RFC 8555 §8.3): GET http://{identifier}:{port}/.well-known/acme-challenge/{token} must answer the key
/// authorization; for an ip identifier (RFC 8738 §7) the request goes to that address, with it (bracketed for IPv6) as Host. Only addresses the network policy allows are connected to (the same <c>Pki:Discovery:AllowedNetworks</c>
/// as discovery; the name is resolved here and the connection made to the allowed address itself, so DNS cannot steer
/// it elsewhere), redirects are not followed, and the answer is read up to a small bound.
/// </summary>
public sealed class Http01Validator(NetworkPolicy network, IOptions<PkiOptions> options) : IChallengeValidator
{
    public const string WellKnownPath = "/.well-known/acme-challenge/";
    private const int MaxBody = 1024;

    public string Type => AcmeChallenge.Http01;

    public async Task<AcmeValidationResult> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var acme = options.Value.Acme;
        var target = await AcmeValidationTarget.ResolveAsync(network, acme, identifier, cancellationToken).ConfigureAwait(false);
        if (target.Address is not { } address)
        {
            return target.Refusal!;
        }

        var host = identifier.Type == AcmeIdentifier.Ip && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{identifier.Value}]" : identifier.Value;
        var url = new Uri($"http://{host}:{acme.Http01Port}{WellKnownPath}{token}");
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(acme.ValidationTimeoutSeconds),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(address, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(acme.ValidationTimeoutSeconds) };
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return AcmeValidationResult.Failure(AcmeErrors.Unauthorized, $"{url} answered {(int)response.StatusCode}; expected 200 with the key authorization.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxBody + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, MaxBody)).TrimEnd();
            return text == keyAuthorization
                ? AcmeValidationResult.Success
                : AcmeValidationResult.Failure(AcmeErrors.IncorrectResponse, $"{url} answered something else than the key authorization.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Connection, $"Could not fetch {url} from {address}: {e.Message}");
        }
    }
}
