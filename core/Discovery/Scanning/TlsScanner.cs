using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Discovery.Scanning;

/// <summary>
/// Scans TLS endpoints: resolves the host, keeps only the addresses the <see cref="NetworkPolicy"/> allows,
/// connects to one of those (never to the name again, so a changed DNS answer cannot redirect the scan),
/// and records the certificates the server presents. One endpoint's failure is its outcome, never an
/// exception; only the caller's cancellation throws.
/// </summary>
/// <remarks>
/// The handshake is BouncyCastle's TLS client, not SslStream. SslStream does show the presented chain (in
/// ChainPolicy.ExtraStore, leaf first, as sent), but on Linux it goes through the system OpenSSL, whose
/// security level refuses TLS 1.0/1.1-only servers and SHA-1-only handshake signatures: exactly the legacy
/// servers discovery must still see. BouncyCastle speaks to those, and does no network I/O of its own.
/// </remarks>
public sealed partial class TlsScanner(NetworkPolicy policy, IOptions<PkiOptions> options, TimeProvider time, ILogger<TlsScanner> logger) : ITlsScanner
{
    private readonly DiscoveryOptions _options = options.Value.Discovery;

    public async Task<IReadOnlyList<EndpointScanResult>> ScanAllAsync(IReadOnlyList<ScannedEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var started = time.GetTimestamp();
        var results = new EndpointScanResult[endpoints.Count];

        // Each scan carries its own connect and handshake budget, so a dead host holds one slot for at most those.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, endpoints.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.ScanConcurrency), CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await ScanAsync(endpoints[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        var counts = results.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
        int Count(ScanOutcome outcome) => counts.GetValueOrDefault(outcome);
        logger.LogInformation(
            "Scanned {Endpoints} endpoints in {ElapsedMs} ms: {Tls} TLS, {Refused} refused, {TimedOut} timed out, {NotTls} not TLS, {Unreachable} unreachable, {NotAllowed} not allowed, {Failed} failed",
            results.Length, (long)time.GetElapsedTime(started).TotalMilliseconds, Count(ScanOutcome.Tls), Count(ScanOutcome.Refused), Count(ScanOutcome.TimedOut),
            Count(ScanOutcome.NotTls), Count(ScanOutcome.Unreachable), Count(ScanOutcome.NotAllowed), Count(ScanOutcome.Failed));
        return results;
    }

    public async Task<EndpointScanResult> ScanAsync(ScannedEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var started = time.GetTimestamp();
        var (outcome, address, chain, protocol, message, legacy) = await ScanCoreAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var result = new EndpointScanResult(endpoint, address?.ToString(), outcome, chain ?? [], protocol, message, time.GetElapsedTime(started), legacy ?? []);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug(
                "Scanned {Location} at {Address}: {Outcome} {Protocol}, {Certificates} certificates, {ElapsedMs} ms. {Message}",
                endpoint.Location, result.Address, outcome, protocol, result.Chain.Count, (long)result.Elapsed.TotalMilliseconds, message);
        }

        return result;
    }

    private async Task<Scan> ScanCoreAsync(ScannedEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Port is < 1 or > 65535)
        {
            return Scan.Of(ScanOutcome.Failed, null, $"port {endpoint.Port} is not a TCP port");
        }

        if (!TryServerName(endpoint, out var serverName))
        {
            return Scan.Of(ScanOutcome.Failed, null, $"server name '{endpoint.ServerName}' is not a DNS name; nothing was sent");
        }

        // One budget covers resolving and connecting: a name server that never answers is a dead host too.
        using var connectBudget = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs), time);
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectBudget.Token);
        IReadOnlyList<IPAddress> resolved;
        try
        {
            resolved = await policy.ResolveAsync(endpoint.Host, connecting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Scan.Of(ScanOutcome.TimedOut, null, $"'{endpoint.Host}' did not resolve within {_options.ConnectTimeoutMs} ms");
        }
        catch (SocketException e)
        {
            return Scan.Of(ScanOutcome.Unreachable, null, $"'{endpoint.Host}' does not resolve: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return Scan.Of(ScanOutcome.Failed, null, $"'{endpoint.Host}' is not a host name: {e.Message}");
        }

        var allowed = policy.AllowedAddresses(resolved);
        if (allowed.Count == 0)
        {
            return Scan.Of(ScanOutcome.NotAllowed, resolved.FirstOrDefault(),
                resolved.Count == 0 ? $"'{endpoint.Host}' resolves to no address"
                : $"'{endpoint.Host}' resolves only to addresses outside the allowed networks ({string.Join(", ", resolved)}); nothing was sent");
        }

        var connection = await ConnectAsync(allowed, endpoint.Port, connecting.Token, cancellationToken).ConfigureAwait(false);
        if (connection.Socket is null)
        {
            return connection.Failure!;
        }

        Scan scan;
        using (connection.Socket)
        {
            scan = await HandshakeAsync(connection.Socket, connection.Address, serverName, cancellationToken).ConfigureAwait(false);
        }

        return scan is { Outcome: ScanOutcome.Tls, Protocol: { } negotiated } && _options.ProbeLegacyProtocols
            ? scan with { Legacy = await LegacyProtocolsAsync(connection.Address, endpoint.Port, serverName, negotiated, cancellationToken).ConfigureAwait(false) }
            : scan;
    }

    /// <summary>Tries the allowed addresses in order until one accepts; the outcome of the last one otherwise.</summary>
    private async Task<Connection> ConnectAsync(
        IReadOnlyList<IPAddress> addresses, int port, CancellationToken connecting, CancellationToken cancellationToken)
    {
        Scan? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), connecting).ConfigureAwait(false);
                return new Connection(socket, address, null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                return new Connection(null, address, Scan.Of(ScanOutcome.TimedOut, address, $"no connection within {_options.ConnectTimeoutMs} ms"));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => Scan.Of(ScanOutcome.Refused, address, "connection refused"),
                    SocketError.TimedOut => Scan.Of(ScanOutcome.TimedOut, address, "connection timed out"),
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown or SocketError.AddressNotAvailable
                        => Scan.Of(ScanOutcome.Unreachable, address, e.Message),
                    _ => Scan.Of(ScanOutcome.Failed, address, $"connect failed: {e.SocketErrorCode}: {e.Message}"),
                };
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return new Connection(null, addresses[^1], failure);
    }

    /// <summary>
    /// The SNI name to send: the endpoint's server name in its ASCII (punycode) form; none when it is null or
    /// an IP literal (RFC 6066 allows only DNS names). False when the name cannot be a DNS name.
    /// </summary>
    private static bool TryServerName(ScannedEndpoint endpoint, out string? serverName)
    {
        serverName = null;
        var name = endpoint.ServerName?.Trim().TrimEnd('.');
        if (string.IsNullOrEmpty(name) || NetworkPolicy.TryParseLiteral(name, out _))
        {
            return true;
        }

        try
        {
            serverName = new IdnMapping().GetAscii(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A connected socket, or why there is none.</summary>
    private sealed record Connection(Socket? Socket, IPAddress Address, Scan? Failure);

    /// <summary>What one scan found, before timing: outcome, the address used, the chain, the protocol, a message, the deprecated versions accepted.</summary>
    private sealed record Scan(ScanOutcome Outcome, IPAddress? Address, IReadOnlyList<byte[]>? Chain, string? Protocol, string? Message, IReadOnlyList<string>? Legacy = null)
    {
        public static Scan Of(ScanOutcome outcome, IPAddress? address, string message) => new(outcome, address, null, null, message);
    }
}
