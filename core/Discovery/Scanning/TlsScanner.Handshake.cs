using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Org.BouncyCastle.Tls;

namespace Pki.Core.Discovery.Scanning;

public sealed partial class TlsScanner
{
    private const byte AlertRecord = 21;
    private const byte HandshakeRecord = 22;

    /// <summary>
    /// Drives BouncyCastle's TLS client in non-blocking mode over the socket, so that a handshake holds no
    /// thread while it waits. Once the server's Certificate message has parsed, the outcome is
    /// <see cref="ScanOutcome.Tls"/> whatever happens later in the handshake.
    /// </summary>
    private async Task<Scan> HandshakeAsync(Socket socket, IPAddress address, string? serverName, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.HandshakeTimeoutMs), time);
        using var handshaking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var client = new ObservingTlsClient(serverName);
        var protocol = new TlsClientProtocol();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long received = 0;
        try
        {
            protocol.Connect(client);
            while (true)
            {
                await FlushAsync(protocol, stream, buffer, handshaking.Token).ConfigureAwait(false);
                if (client.HandshakeComplete)
                {
                    await CloseAsync(protocol, stream, buffer, handshaking.Token).ConfigureAwait(false);
                    return new Scan(ScanOutcome.Tls, address, client.Chain ?? [], client.Protocol, null);
                }

                var read = await stream.ReadAsync(buffer, handshaking.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return received == 0
                        ? Ended(client, address, ScanOutcome.NotTls, "the server closed the connection without answering the TLS ClientHello")
                        : Ended(client, address, ScanOutcome.Failed, "the server closed the connection during the TLS handshake");
                }

                if (received == 0 && !LooksLikeTls(buffer.AsSpan(0, read)))
                {
                    return Ended(client, address, ScanOutcome.NotTls, $"the server answered {Describe(buffer.AsSpan(0, read))}, not TLS");
                }

                received += read;
                protocol.OfferInput(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Ended(client, address, ScanOutcome.TimedOut,
                $"no TLS handshake within {_options.HandshakeTimeoutMs} ms" + (received == 0 ? " (the server sent nothing)" : string.Empty));
        }
        catch (TlsFatalAlertReceived e)
        {
            return Ended(client, address, ScanOutcome.Failed, $"the server sent TLS alert {AlertDescription.GetText(e.AlertDescription)}");
        }
        catch (TlsFatalAlert e)
        {
            var cause = e.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : string.Empty;
            return Ended(client, address, ScanOutcome.Failed, $"TLS handshake failed ({AlertDescription.GetText(e.AlertDescription)}): {e.Message}{cause}");
        }
        catch (IOException e) when (e.InnerException is SocketException s && received == 0)
        {
            return Ended(client, address, ScanOutcome.NotTls, $"the server dropped the connection without answering the TLS ClientHello ({s.SocketErrorCode})");
        }
        catch (IOException e)
        {
            return Ended(client, address, ScanOutcome.Failed, $"TLS handshake failed: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // BouncyCastle reports a malformed message as one of several exception types; each is this endpoint's finding.
            return Ended(client, address, ScanOutcome.Failed, $"TLS handshake failed: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The deprecated versions (RFC 8996) the server accepts besides the one it <paramref name="negotiated"/>. A server
    /// answers with the highest version both sides offer, so a scan that got TLS 1.0 shows 1.1 is off; otherwise a probe
    /// offers at most TLS 1.1, and if the server takes 1.1, another offers 1.0 alone.
    /// </summary>
    private async Task<IReadOnlyList<string>> LegacyProtocolsAsync(IPAddress address, int port, string? serverName, string negotiated, CancellationToken cancellationToken)
    {
        switch (negotiated)
        {
            case ObservingTlsClient.Tls10:
                return [ObservingTlsClient.Tls10];
            case ObservingTlsClient.Tls11:
                return await ProbeAsync(address, port, serverName, ProtocolVersion.TLSv10, cancellationToken).ConfigureAwait(false) is ObservingTlsClient.Tls10
                    ? [ObservingTlsClient.Tls11, ObservingTlsClient.Tls10]
                    : [ObservingTlsClient.Tls11];
            case ObservingTlsClient.Tls12 or ObservingTlsClient.Tls13:
                return await ProbeAsync(address, port, serverName, ProtocolVersion.TLSv11, cancellationToken).ConfigureAwait(false) switch
                {
                    ObservingTlsClient.Tls11 => await LegacyProtocolsAsync(address, port, serverName, ObservingTlsClient.Tls11, cancellationToken).ConfigureAwait(false),
                    ObservingTlsClient.Tls10 => [ObservingTlsClient.Tls10],
                    _ => [],
                };
            default:
                return [];
        }
    }

    /// <summary>
    /// Offers versions up to <paramref name="highest"/> only and returns the version the server answers with, or null when
    /// it refuses them (an alert, a closed connection) or does not answer in time. Ends at the ServerHello: nothing more
    /// is needed, so the handshake is not finished.
    /// </summary>
    private async Task<string?> ProbeAsync(IPAddress address, int port, string? serverName, ProtocolVersion highest, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs + _options.HandshakeTimeoutMs), time);
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), probing.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var client = new ObservingTlsClient(serverName, highest);
            var protocol = new TlsClientProtocol();
            protocol.Connect(client);
            while (client.Protocol is null)
            {
                await FlushAsync(protocol, stream, buffer, probing.Token).ConfigureAwait(false);
                var read = await stream.ReadAsync(buffer, probing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                protocol.OfferInput(buffer, 0, read);
            }

            return client.Protocol;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            // Refused (protocol_version or handshake_failure alert), reset, or silent: the version is not accepted.
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The outcome of a handshake that stopped early: still TLS if the certificates had arrived.</summary>
    private static Scan Ended(ObservingTlsClient client, IPAddress address, ScanOutcome outcome, string message) =>
        client.Chain is { } chain
            ? new Scan(ScanOutcome.Tls, address, chain, client.Protocol, "after the certificates: " + message)
            : new Scan(outcome, address, null, client.Protocol, message);

    private static async Task FlushAsync(TlsClientProtocol protocol, NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        int available;
        while ((available = protocol.GetAvailableOutputBytes()) > 0)
        {
            var count = protocol.ReadOutput(buffer, 0, Math.Min(available, buffer.Length));
            await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A polite close_notify; the result is already known, so a server that hung up changes nothing.</summary>
    private static async Task CloseAsync(TlsClientProtocol protocol, NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            protocol.Close();
            await FlushAsync(protocol, stream, buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>A TLS server's first record is a handshake (ServerHello) or an alert, with major version 3.</summary>
    private static bool LooksLikeTls(ReadOnlySpan<byte> first) =>
        first[0] is HandshakeRecord or AlertRecord && (first.Length < 2 || first[1] == 3);

    private static string Describe(ReadOnlySpan<byte> answer)
    {
        var head = answer[..Math.Min(answer.Length, 40)];
        foreach (var b in head)
        {
            if (b is (< 0x20 or > 0x7E) and not (byte)'\r' and not (byte)'\n' and not (byte)'\t')
            {
                return "0x" + Convert.ToHexString(head[..Math.Min(head.Length, 16)]);
            }
        }

        var text = Encoding.ASCII.GetString(head).ReplaceLineEndings(" ").Trim();
        return $"'{text}'";
    }
}
