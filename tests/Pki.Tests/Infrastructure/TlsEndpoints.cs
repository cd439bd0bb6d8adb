using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// TLS servers on 127.0.0.1 for discovery tests: a test CA (root, intermediate) and leaves made with the
/// openssl CLI in a temporary folder, each served by its own <c>openssl s_server</c>, plus ports that
/// fail in known ways. Use it as a collection fixture (<see cref="TlsEndpointsCollection"/>) or a class
/// fixture; everything is stopped and deleted on dispose.
/// </summary>
/// <remarks>
/// Servers run at OpenSSL security level 0, or s_server would refuse to load the RSA-1024 key and the
/// SHA-1 signed certificate, and the TLS 1.0 server could not negotiate.
/// </remarks>
public sealed partial class TlsEndpoints : IAsyncLifetime
{
    private readonly Openssl _openssl = new();
    private readonly List<Process> _servers = [];
    private readonly ConcurrentBag<Socket> _held = [];
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private string _config = null!;
    private string _rootPem = null!;
    private string _rootKey = null!;
    private string _intermediatePem = null!;
    private string _intermediateKey = null!;
    private int _notTlsConnections;
    private int _fetchAttempts;

    /// <summary>The trust anchor: the test root, DER.</summary>
    public byte[] RootDer { get; private set; } = null!;

    public string RootPem => Pem(RootDer);

    /// <summary>The intermediate that issued every leaf but the self-signed one, DER.</summary>
    public byte[] IntermediateDer { get; private set; } = null!;

    /// <summary>EC P-256 leaf for good.test, served with the intermediate; TLS 1.3.</summary>
    public Endpoint Good { get; private set; } = null!;

    /// <summary>Like <see cref="Good"/>, but expired 30 days ago.</summary>
    public Endpoint Expired { get; private set; } = null!;

    /// <summary>A self-signed leaf for good.test, served alone.</summary>
    public Endpoint SelfSigned { get; private set; } = null!;

    /// <summary>An RSA-1024 leaf, served with the intermediate.</summary>
    public Endpoint WeakKey { get; private set; } = null!;

    /// <summary>An RSA-2048 leaf signed sha1WithRSAEncryption, served with the intermediate.</summary>
    public Endpoint Sha1Signature { get; private set; } = null!;

    /// <summary>A leaf for other.test (scanned with SNI good.test), served with the intermediate.</summary>
    public Endpoint WrongName { get; private set; } = null!;

    /// <summary>
    /// A leaf for good.test served without its intermediate. Its AIA (caIssuers, OCSP) and CRL URLs point at
    /// <see cref="FetchPort"/>, so a test can tell whether anything tried to complete or check the chain.
    /// </summary>
    public Endpoint IncompleteChain { get; private set; } = null!;

    /// <summary>An RSA-2048 leaf served with the intermediate by a server that speaks TLS 1.0 only.</summary>
    public Endpoint LegacyTls10 { get; private set; } = null!;

    /// <summary>Like <see cref="Good"/> (TLS 1.3 when asked for it), but its server also accepts TLS 1.0 and 1.1, as sslscan would report.</summary>
    public Endpoint LegacyEnabled { get; private set; } = null!;

    /// <summary>A leaf for good.test, served with the intermediate, that names neither an OCSP responder nor a CRL.</summary>
    public Endpoint NoRevocation { get; private set; } = null!;

    /// <summary>Every TLS endpoint.</summary>
    public IReadOnlyList<Endpoint> All { get; private set; } = [];

    /// <summary>Where <see cref="IncompleteChain"/>'s AIA and CRL URLs point: a listener that only counts connections.</summary>
    public int FetchPort { get; private set; }

    /// <summary>Connections made to <see cref="FetchPort"/>: AIA downloads, OCSP or CRL fetches.</summary>
    public int FetchAttempts => Volatile.Read(ref _fetchAttempts);

    /// <summary>A port nothing listens on: a connection is refused.</summary>
    public int DeadPort { get; private set; }

    /// <summary>A plain TCP server that reads what it is sent and answers <c>HTTP/1.0 400 Bad Request</c>.</summary>
    public int NotTlsPort { get; private set; }

    /// <summary>Connections <see cref="NotTlsPort"/> has accepted.</summary>
    public int NotTlsConnections => Volatile.Read(ref _notTlsConnections);

    /// <summary>Accepts connections and never sends a byte: a handshake there times out.</summary>
    public int SilentPort { get; private set; }

    /// <summary>
    /// A listener whose accept queue is kept full, so the kernel drops further SYNs: a connection attempt
    /// there neither succeeds nor is refused, it times out (deterministically, unlike an unroutable address).
    /// </summary>
    public int BlackholePort { get; private set; }

    public async Task InitializeAsync()
    {
        FetchPort = Listen(backlog: 64, CountFetchAsync);
        CreateAuthorities();
        RootDer = Der(_rootPem);
        IntermediateDer = Der(_intermediatePem);

        var good = Leaf("good", "ec:P-256", "leaf_good_test");
        var expired = Leaf("expired", "ec:P-256", "leaf_good_test", expired: true);
        var selfSigned = SelfSignedLeaf("self-signed");
        var weak = Leaf("weak-key", "rsa:1024", "leaf_good_test");
        var sha1 = Leaf("sha1-signature", "rsa:2048", "leaf_good_test", digest: "sha1");
        var wrongName = Leaf("wrong-name", "ec:P-256", "leaf_other_test");
        var incomplete = Leaf("incomplete-chain", "ec:P-256", "leaf_incomplete");
        var legacy = Leaf("legacy-tls10", "rsa:2048", "leaf_good_test");
        var legacyEnabled = Leaf("legacy-enabled", "ec:P-256", "leaf_good_test");
        var noRevocation = Leaf("no-revocation", "ec:P-256", "leaf_no_revocation");

        var starting = new[]
        {
            ServeAsync("good", good, withIntermediate: true),
            ServeAsync("expired", expired, withIntermediate: true),
            ServeAsync("self-signed", selfSigned, withIntermediate: false),
            ServeAsync("weak-key", weak, withIntermediate: true),
            ServeAsync("sha1-signature", sha1, withIntermediate: true),
            ServeAsync("wrong-name", wrongName, withIntermediate: true),
            ServeAsync("incomplete-chain", incomplete, withIntermediate: false),
            ServeAsync("legacy-tls10", legacy, withIntermediate: true, "-tls1"),
            ServeAsync("legacy-enabled", legacyEnabled, withIntermediate: true, AnyProtocol),
            ServeAsync("no-revocation", noRevocation, withIntermediate: true),
        };
        var endpoints = await Task.WhenAll(starting);
        (Good, Expired, SelfSigned, WeakKey, Sha1Signature, WrongName, IncompleteChain, LegacyTls10) =
            (endpoints[0], endpoints[1], endpoints[2], endpoints[3], endpoints[4], endpoints[5], endpoints[6], endpoints[7]);
        (LegacyEnabled, NoRevocation) = (endpoints[8], endpoints[9]);
        All = endpoints;

        DeadPort = FreePort();
        NotTlsPort = Listen(backlog: 64, AnswerHttp400Async);
        SilentPort = Listen(backlog: 64, HoldSilentlyAsync);
        BlackholePort = await BlackholeAsync();
    }

    public Task DisposeAsync()
    {
        _stopping.Cancel();
        foreach (var server in _servers)
        {
            try
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            server.Dispose();
        }

        foreach (var socket in _listeners.Concat(_held))
        {
            socket.Dispose();
        }

        _stopping.Dispose();
        _openssl.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Passed as the extra argument of an endpoint that accepts every protocol version security level 0 allows (TLS 1.0 up).</summary>
    private const string AnyProtocol = "any-protocol";

    /// <summary>
    /// Serves a certificate made elsewhere (one this service issued, say) with its key, and the chain file's certificates
    /// after it when given, as the other endpoints are served (TLS 1.2 and up).
    /// </summary>
    public Task<Endpoint> ServeAsync(string name, string certificatePem, string keyPath, string? chainPem) =>
        ServeAsync(name, certificatePem, keyPath, chainPem, []);

    private Task<Endpoint> ServeAsync(string name, string leafPem, bool withIntermediate, params string[] extra) =>
        ServeAsync(name, leafPem, KeyOf(leafPem), withIntermediate ? _intermediatePem : null, extra);

    /// <summary>
    /// Starts <c>openssl s_server</c> for the leaf on a free port and waits until it accepts connections. Security level 0
    /// lets it load the weak keys and signatures; it then also allows TLS 1.0 and 1.1, which only the endpoints meant to
    /// accept them keep (<c>-tls1</c>, <see cref="AnyProtocol"/>): the others start at TLS 1.2, as a current server does.
    /// </summary>
    private async Task<Endpoint> ServeAsync(string name, string leafPem, string keyPath, string? chainPem, string[] extra)
    {
        byte[][] served = [Der(leafPem), .. chainPem is null ? [] : DerAll(chainPem)];
        var legacy = extra.Contains("-tls1") || extra.Contains(AnyProtocol);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            List<string> args =
            [
                "s_server", "-accept", "127.0.0.1:" + port, "-cert", leafPem, "-key", keyPath, "-www", "-quiet",
                "-no-CAfile", "-no-CApath", "-no-CAstore", "-cipher", "DEFAULT@SECLEVEL=0", .. extra.Where(e => e != AnyProtocol),
            ];
            if (!legacy)
            {
                args.AddRange(["-min_protocol", "TLSv1.2"]);
            }

            if (chainPem is not null)
            {
                args.AddRange(["-cert_chain", chainPem]);
            }

            var output = new StringBuilder();
            var server = Start(args, output);
            if (await WaitUntilListeningAsync(server, port))
            {
                return new Endpoint(name, port, served, keyPath, extra.Contains("-tls1") ? "Tls10" : "Tls13");
            }

            // Another process may have taken the port between our probe and s_server's bind; try another.
            if (attempt == 3)
            {
                throw new InvalidOperationException($"openssl s_server for {name} did not start: {output}");
            }
        }
    }

    private Process Start(List<string> args, StringBuilder output)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        lock (_servers)
        {
            _servers.Add(process);
        }

        // Drain both pipes: a full, unread pipe blocks s_server in a write, and it stops accepting.
        void Keep(object sender, DataReceivedEventArgs e)
        {
            lock (output)
            {
                if (e.Data is not null && output.Length < 16_384)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> WaitUntilListeningAsync(Process server, int port)
    {
        for (var i = 0; i < 200; i++)
        {
            if (server.HasExited)
            {
                return false;
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    /// <summary>A listener on a free loopback port whose accepted connections <paramref name="serve"/> handles.</summary>
    private int Listen(int backlog, Func<Socket, CancellationToken, Task> serve)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(backlog);
        _listeners.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await listener.AcceptAsync(_stopping.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => serve(accepted, _stopping.Token));
            }
        });
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>As an HTTP server would: read the request (here a ClientHello), answer 400, close after the client has read it.</summary>
    private async Task AnswerHttp400Async(Socket socket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _notTlsConnections);
        using (socket)
        {
            try
            {
                var buffer = new byte[4096];
                await socket.ReceiveAsync(buffer, cancellationToken);
                await socket.SendAsync("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), cancellationToken);
                socket.Shutdown(SocketShutdown.Send);

                // Closing with unread input would send a reset that can overtake the answer; wait for the client to hang up.
                using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                linger.CancelAfter(TimeSpan.FromSeconds(5));
                while (await socket.ReceiveAsync(buffer, linger.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private Task CountFetchAsync(Socket socket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetchAttempts);
        socket.Dispose();
        return Task.CompletedTask;
    }

    private Task HoldSilentlyAsync(Socket socket, CancellationToken cancellationToken)
    {
        _held.Add(socket);
        return Task.CompletedTask;
    }

    /// <summary>Listens with a backlog of zero and never accepts; fills the queue, after which SYNs go unanswered.</summary>
    private async Task<int> BlackholeAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        _listeners.Add(listener);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        for (var i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _held.Add(filler);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(endpoint, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // This one was not answered: the queue is full.
                return endpoint.Port;
            }
        }

        throw new InvalidOperationException("the blackhole listener kept accepting connections; the kernel does not drop SYNs on a full accept queue here");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
