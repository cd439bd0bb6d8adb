using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Discovery;
using Pki.Core.Discovery.Scanning;

/// <summary>
/// Discovery: a fleet of TLS endpoints on loopback (one child process, one listener each, every one serving
/// leaf + intermediate), scanned in the same run by our <see cref="TlsScanner"/> and by
/// <c>nmap -Pn -n -p PORTS --script ssl-cert 127.0.0.1</c>. Each scanner runs as its own process under
/// GNU time (wall clock, peak RSS); ours also reports ScanAllAsync's own time. Several rounds, medians.
/// </summary>
internal static partial class DiscoveryBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var endpoints = Count(args, "endpoints", 200);
        var rounds = Count(args, "rounds", 5);
        var concurrency = Count(args, "concurrency", new DiscoveryOptions().ScanConcurrency);
        var work = Directory.CreateTempSubdirectory("pki-discoverybench-").FullName;
        var self = Environment.GetCommandLineArgs()[0];
        using var fleet = Process.Start(new ProcessStartInfo("dotnet", [self, "discovery-fleet", "--endpoints", endpoints.ToString(Inv), "--out", work])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            var ready = await fleet.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the fleet process ended before it listened");
            var ports = ready.Split(' ').Skip(1).Select(p => int.Parse(p, Inv)).ToArray();
            var portList = string.Join(',', ports);
            await File.WriteAllTextAsync(Path.Combine(work, "ports"), portList);
            Console.WriteLine($"discovery: {ports.Length} TLS endpoints on 127.0.0.1 (one process, leaf + intermediate each, EC P-256), {rounds} rounds, our concurrency {concurrency}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"  nmap: nmap -Pn -n -p <{ports.Length} ports> --script ssl-cert 127.0.0.1");

            var ours = new List<(double Rate, double ProcessRate, double PeakMb)>();
            var theirs = new List<(double Rate, double PeakMb)>();
            var ok = true;
            for (var round = 1; round <= rounds; round++)
            {
                var (wall, peakKb, output) = Timed("dotnet", [self, "discovery-scan", "--ports-file", Path.Combine(work, "ports"),
                    "--chain-file", Path.Combine(work, "chain.der"), "--concurrency", concurrency.ToString(Inv)]);
                var scanSeconds = double.Parse(Field(output, "scan-seconds"), Inv);
                var matching = int.Parse(Field(output, "matching"), Inv);
                ours.Add((ports.Length / scanSeconds, ports.Length / wall, peakKb / 1024.0));

                var (nmapWall, nmapPeakKb, nmapOutput) = Timed("nmap", ["-Pn", "-n", "-p", portList, "--script", "ssl-cert", "127.0.0.1"]);
                var nmapCertificates = SslCertSubject().Count(nmapOutput);
                theirs.Add((ports.Length / nmapWall, nmapPeakKb / 1024.0));

                Console.WriteLine(string.Format(Inv,
                    "  round {0}: ours ScanAllAsync {1:F3} s = {2:F0} endpoints/s (process {3:F2} s wall = {4:F0}/s), peak RSS {5:F0} MB, {6}/{7} chains as served; nmap {8:F2} s wall = {9:F0} endpoints/s, peak RSS {10:F0} MB, {11}/{7} certificates",
                    round, scanSeconds, ports.Length / scanSeconds, wall, ports.Length / wall, peakKb / 1024.0, matching, ports.Length,
                    nmapWall, ports.Length / nmapWall, nmapPeakKb / 1024.0, nmapCertificates));
                ok &= matching == ports.Length;
            }

            var oursRate = Median(ours.Select(o => o.Rate));
            var oursProcessRate = Median(ours.Select(o => o.ProcessRate));
            var oursPeak = Median(ours.Select(o => o.PeakMb));
            var nmapRate = Median(theirs.Select(t => t.Rate));
            var nmapPeak = Median(theirs.Select(t => t.PeakMb));
            Console.WriteLine(string.Format(Inv, "  median ours: ScanAllAsync {0:F0} endpoints/s, whole process {1:F0} endpoints/s, peak RSS {2:F0} MB", oursRate, oursProcessRate, oursPeak));
            Console.WriteLine(string.Format(Inv, "  median nmap: {0:F0} endpoints/s (wall clock), peak RSS {1:F0} MB", nmapRate, nmapPeak));
            Console.WriteLine(string.Format(Inv, "  ratio ours/nmap = {0:F1} (ScanAllAsync) / {1:F1} (process wall, both incl. start-up); memory ratio = {2:F2}; goal >= 1",
                oursRate / nmapRate, oursProcessRate / nmapRate, oursPeak / nmapPeak));
            return ok ? 0 : 1;
        }
        finally
        {
            fleet.StandardInput.Close();
            if (!fleet.WaitForExit(5000))
            {
                fleet.Kill(entireProcessTree: true);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Child-process mode: our scanner over the fleet, once warm, so its peak memory is this process's alone.</summary>
    public static async Task<int> ScanChildAsync(string[] args)
    {
        var ports = (await File.ReadAllTextAsync(Arg(args, "ports-file")!)).Split(',').Select(p => int.Parse(p, Inv)).ToArray();
        var expected = SplitChain(await File.ReadAllBytesAsync(Arg(args, "chain-file")!));
        var options = Options.Create(new PkiOptions
        {
            // nmap's ssl-cert does one handshake per endpoint; so does this (the TLS 1.0/1.1 probe is other work, off here).
            Discovery = new DiscoveryOptions { AllowedNetworks = ["127.0.0.0/8"], ScanConcurrency = Count(args, "concurrency", 32), ProbeLegacyProtocols = false },
        });
        var scanner = new TlsScanner(new NetworkPolicy(options), options, TimeProvider.System, NullLogger<TlsScanner>.Instance);
        var endpoints = ports.Select(p => new ScannedEndpoint("127.0.0.1", p, "fleet.bench.test")).ToArray();

        // One handshake first, so the figure is the sweep's and not the JIT's; the process wall clock includes both.
        await scanner.ScanAsync(endpoints[0], CancellationToken.None);
        var sw = Stopwatch.StartNew();
        var results = await scanner.ScanAllAsync(endpoints, CancellationToken.None);
        sw.Stop();
        // A match is a complete handshake (no message) that recorded exactly the chain the fleet serves.
        var matching = results.Count(r => r.Outcome == ScanOutcome.Tls && r.Message is null && r.Chain.Count == expected.Count
            && r.Chain.Zip(expected).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second)));
        foreach (var failure in results.Where(r => r.Outcome != ScanOutcome.Tls || r.Message is not null).Take(3))
        {
            Console.Error.WriteLine($"  {failure.Endpoint.Location}: {failure.Outcome} {failure.Message}");
        }

        Console.WriteLine(string.Format(Inv, "scan-seconds={0:F4} matching={1}", sw.Elapsed.TotalSeconds, matching));
        return 0;
    }

    /// <summary>
    /// Child-process mode: N TLS listeners on 127.0.0.1 serving one chain (SslStream, OpenSSL underneath).
    /// Prints "READY port port ...", writes the chain it serves (DER, concatenated) to OUT/chain.der, and
    /// serves until its standard input closes.
    /// </summary>
    public static async Task<int> FleetAsync(string[] args)
    {
        var count = Count(args, "endpoints", 200);
        var (leaf, intermediate) = NewChain();
        await File.WriteAllBytesAsync(Path.Combine(Arg(args, "out")!, "chain.der"), [.. leaf.RawData, .. intermediate.RawData]);
        var context = SslStreamCertificateContext.Create(leaf, [intermediate], offline: true);
        var options = new SslServerAuthenticationOptions { ServerCertificateContext = context };
        using var stopping = new CancellationTokenSource();
        var listeners = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
            listeners.Add(listener);
            _ = AcceptAsync(listener, options, stopping.Token);
        }

        Console.WriteLine("READY " + string.Join(' ', listeners.Select(l => ((IPEndPoint)l.LocalEndPoint!).Port)));
        await Console.In.ReadToEndAsync();
        await stopping.CancelAsync();
        listeners.ForEach(l => l.Dispose());
        return 0;
    }

    private static async Task AcceptAsync(Socket listener, SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket, options, cancellationToken);
        }
    }

    /// <summary>One connection: the handshake, then wait for the client to hang up (both scanners do so at once).</summary>
    private static async Task ServeAsync(Socket socket, SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await tls.AuthenticateAsServerAsync(options, timeout.Token);
            var buffer = new byte[256];
            while (await tls.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // A scanner that hangs up without close_notify, or a port probe that never starts TLS.
        }
    }

    /// <summary>A root, an intermediate and a leaf (EC P-256 each), as a private PKI would issue them.</summary>
    private static (X509Certificate2 Leaf, X509Certificate2 Intermediate) NewChain()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Discovery Bench Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Discovery Bench Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var intermediateOnly = intermediateRequest.Create(root, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        var intermediate = intermediateOnly.CopyWithPrivateKey(intermediateKey);

        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=fleet.bench.test", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("fleet.bench.test");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
        using var leafOnly = leafRequest.Create(intermediate, now.AddDays(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(16));
        var leaf = leafOnly.CopyWithPrivateKey(leafKey);

        // Re-import so that OpenSSL gets a key it can use for the server side on every platform.
        var reloaded = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        return (reloaded, X509CertificateLoader.LoadCertificate(intermediate.RawData));
    }

    /// <summary>Splits concatenated DER certificates (each a SEQUENCE with a long-form length).</summary>
    private static List<byte[]> SplitChain(byte[] der)
    {
        var certificates = new List<byte[]>();
        for (var at = 0; at < der.Length;)
        {
            var lengthBytes = der[at + 1] & 0x7F;
            var length = 0;
            for (var i = 0; i < lengthBytes; i++)
            {
                length = (length << 8) | der[at + 2 + i];
            }

            var total = 2 + lengthBytes + length;
            certificates.Add(der[at..(at + total)]);
            at += total;
        }

        return certificates;
    }

    /// <summary>Runs a process under GNU time; returns wall seconds, peak RSS in KB and its output.</summary>
    private static (double Wall, long PeakKb, string Output) Timed(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/time", ["-f", "TIMED %e %M", file, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {output}");
        }

        var line = output.Split('\n').Last(l => l.StartsWith("TIMED ", StringComparison.Ordinal)).Split(' ');
        return (double.Parse(line[1], Inv), long.Parse(line[2], Inv), output);
    }

    private static string Field(string output, string name) =>
        Regex.Match(output, name + @"=(\S+)") is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"no {name}= in: {output}");

    [GeneratedRegex(@"^\| ssl-cert: Subject:", RegexOptions.Multiline)]
    private static partial Regex SslCertSubject();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Count(string[] args, string name, int fallback) => Arg(args, name) is { } value ? int.Parse(value, Inv) : fallback;
}
