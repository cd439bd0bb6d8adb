using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Signing.Pkcs11;
using CrlEntry = Pki.Core.Revocation.CrlEntry;

/// <summary>
/// Revocation benchmarks, each beside OpenSSL doing the same work in the same run:
/// OCSP GET responses/s of our endpoint against `openssl ocsp -index -multi 2` over the same
/// certificates, both loaded by wrk (an independent C load generator); CRL generation for N revoked
/// entries against `openssl ca -gencrl` on an index of N.
/// </summary>
internal static class RevocationBench
{
    /// <summary>wrk's threads: one a core of the 2-core machine; connections (--clients) are spread over them.</summary>
    private const int WrkThreads = 2;
    private const int WarmUpSeconds = 2;
    private const int CheckAttempts = 3;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(Settings settings, string[] args)
    {
        var work = Directory.CreateTempSubdirectory("pki-revbench-").FullName;
        try
        {
            var ocspOk = await OcspAsync(settings, work, Count(args, "ocsp-certificates", 200), Count(args, "ocsp-seconds", 10), Count(args, "ocsp-rounds", 3));
            var crlOk = true;
            foreach (var entries in (Arg(args, "crl-entries") ?? "100000,1000000").Split(','))
            {
                crlOk &= Crl(settings, work, int.Parse(entries, Inv));
            }

            return ocspOk && crlOk ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Child-process mode: encode and sign one CRL of N synthetic entries with the HSM key, so peak memory is this process's alone.</summary>
    public static async Task<int> EncodeChildAsync(Settings settings, string[] args)
    {
        var entries = int.Parse(Arg(args, "entries")!, Inv);
        var output = Arg(args, "out")!;
        using var keys = new Pkcs11KeyManager(
            Options.Create(new Pkcs11Options { LibraryPath = settings.Pkcs11Library, TokenLabel = settings.TokenLabel, UserPin = settings.UserPin }),
            NullLogger<Pkcs11KeyManager>.Instance);
        var key = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Pkcs11(settings.TokenLabel, "crlbench-" + Guid.NewGuid().ToString("N")[..8]), KeyAlgorithm.EcP256));
        var signer = await keys.CreateSignerAsync(new CreateSignerRequest(key.KeyUri, SignatureScheme.EcdsaSha256));
        var now = DateTimeOffset.UtcNow;
        var factory = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://bench.test" })));
        var caCert = factory.CreateRoot(signer, "CN=CRL Bench CA", SerialNumbers.New(), now.AddDays(-1), now.AddYears(1));
        var ca = new CertificateAuthority("bench", CaRole.Issuing, "CN=CRL Bench CA", caCert.GetEncoded(), null, now.AddYears(1), key.KeyUri, "pkcs11", signer.Scheme);
        await File.WriteAllTextAsync(output + ".ca.pem", Pem.Certificate(caCert.GetEncoded()));

        // The input as the publisher gets it: streamed, never held as a list of entries. A 16 MB array of
        // random serials stands in for storage, so the figure is the CRL's generation, not the input's.
        var serials = RandomNumberGenerator.GetBytes(entries * SerialNumbers.Bytes);
        var sw = Stopwatch.StartNew();
        var der = CrlEncoder.Encode(new CrlTemplate(ca.SubjectNameDer, ca.SubjectKeyId, 1, now, now.AddDays(1)), Entries(serials, now), signer, entries);
        sw.Stop();
        await using (var file = File.Create(output))
        {
            await file.WriteAsync(der);
        }

        Console.WriteLine(string.Format(Inv, "encode-seconds={0:F3} bytes={1}", sw.Elapsed.TotalSeconds, der.Length));
        return 0;
    }

    /// <summary>Revoked entries as storage would yield them, one at a time: positive 16-byte serials, two reasons.</summary>
    private static IEnumerable<CrlEntry> Entries(byte[] serials, DateTimeOffset now)
    {
        for (var i = 0; i < serials.Length / SerialNumbers.Bytes; i++)
        {
            var serial = serials.AsMemory(i * SerialNumbers.Bytes, SerialNumbers.Bytes);
            serial.Span[0] = (byte)((serial.Span[0] & 0x7F) | 0x01);
            yield return new CrlEntry(serial, now.AddSeconds(-i), (RevocationReason)(i % 3 == 0 ? 1 : 4));
        }
    }

    private static bool Crl(Settings settings, string work, int entries)
    {
        Console.WriteLine($"CRL generation, {entries:N0} revoked entries:");
        var ours = Path.Combine(work, $"ours-{entries}.crl");
        var self = Environment.GetCommandLineArgs()[0];
        var (oursWall, oursPeakKb, oursOut) = Timed("dotnet", [self, "crl-encode", "--entries", entries.ToString(Inv), "--out", ours,
            "--url", settings.Url, "--pkcs11-library", settings.Pkcs11Library, "--token-label", settings.TokenLabel]);
        var encodeSeconds = double.Parse(oursOut.Split("encode-seconds=")[1].Split(' ')[0], Inv);
        var verify = Run("openssl", ["crl", "-inform", "DER", "-in", ours, "-CAfile", ours + ".ca.pem", "-noout", "-verify"]);
        var verified = verify.Contains("verify OK", StringComparison.Ordinal);

        // OpenSSL: an index of the same size, a software P-256 key, `openssl ca -gencrl`.
        var dir = Path.Combine(work, $"openssl-{entries}");
        Directory.CreateDirectory(dir);
        WriteIndex(Path.Combine(dir, "index.txt"), entries);
        File.WriteAllText(Path.Combine(dir, "index.txt.attr"), "unique_subject = no\n");
        File.WriteAllText(Path.Combine(dir, "crlnumber"), "01\n");
        File.WriteAllText(Path.Combine(dir, "ca.cnf"),
            $"[ca]\ndefault_ca=bench\n[bench]\ndatabase={dir}/index.txt\ncrlnumber={dir}/crlnumber\ndefault_md=sha256\ndefault_crl_days=1\n");
        Run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", Path.Combine(dir, "ca.key")]);
        Run("openssl", ["req", "-x509", "-new", "-key", Path.Combine(dir, "ca.key"), "-subj", "/CN=OpenSSL Bench CA", "-days", "2", "-out", Path.Combine(dir, "ca.pem")]);
        var (sslWall, sslPeakKb, _) = Timed("openssl", ["ca", "-config", Path.Combine(dir, "ca.cnf"), "-gencrl", "-keyfile", Path.Combine(dir, "ca.key"),
            "-cert", Path.Combine(dir, "ca.pem"), "-out", Path.Combine(dir, "openssl.crl")]);

        Console.WriteLine(string.Format(Inv,
            "  ours:    encode+sign {0:F3} s, entries streamed from memory (process {1:F2} s wall incl. runtime start), peak RSS {2:F0} MB, {3:N0} bytes, openssl crl -verify: {4}",
            encodeSeconds, oursWall, oursPeakKb / 1024.0, new FileInfo(ours).Length, verified ? "OK" : "FAILED"));
        Console.WriteLine(string.Format(Inv, "  openssl: ca -gencrl {0:F2} s wall, peak RSS {1:F0} MB, {2:N0} bytes",
            sslWall, sslPeakKb / 1024.0, new FileInfo(Path.Combine(dir, "openssl.crl")).Length));
        Console.WriteLine(string.Format(Inv, "  time ratio ours/openssl = {0:F3} (encode) / {1:F3} (process wall); memory ratio = {2:F2}; targets: <= 1 s and <= 200 MB for 1M entries",
            encodeSeconds / sslWall, oursWall / sslWall, oursPeakKb / (double)sslPeakKb));
        return verified;
    }

    private static async Task<bool> OcspAsync(Settings settings, string work, int certificates, int seconds, int rounds)
    {
        // wrk wants at least one connection per thread.
        var threads = Math.Min(WrkThreads, settings.Clients);
        Console.WriteLine($"OCSP GET, {certificates} certificates, wrk -t{threads} -c{settings.Clients} -d{seconds}s --latency against each, one after the other, {rounds} rounds:");
        using var http = settings.Authenticated(new HttpClient { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromMinutes(1) });
        var authorities = await http.GetFromJsonAsync<AuthorityView[]>("/api/ca") ?? [];
        var issuing = authorities.First(a => a.Role == "issuing");
        var issuerPem = await http.GetStringAsync($"/api/ca/{issuing.Id}/certificate");
        var issuerCert = new Org.BouncyCastle.X509.X509Certificate(Convert.FromBase64String(string.Concat(issuerPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))));

        var serials = new List<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < certificates)
            {
                var serial = await IssueAsync(http);
                lock (serials)
                {
                    serials.Add(serial);
                }
            }
        }));

        // The same requests for both servers: ours under /api/ocsp/, OpenSSL's responder at its root.
        var requests = serials.Select(s => Uri.EscapeDataString(Convert.ToBase64String(Request(issuerCert, s)))).ToArray();
        var script = Path.Combine(work, "ocsp-get.lua");
        await File.WriteAllTextAsync(script, WrkScript(requests));

        // OpenSSL's responder over the same certificates: an index of them, a P-256 responder key, two processes.
        var dir = Path.Combine(work, "ocsp");
        Directory.CreateDirectory(dir);
        var expiry = DateTime.UtcNow.AddDays(60).ToString("yyMMddHHmmss", Inv) + "Z";
        await File.WriteAllLinesAsync(Path.Combine(dir, "index.txt"), serials.Select(s => $"V\t{expiry}\t\t{s.ToUpperInvariant()}\tunknown\t/CN={s}"));
        await File.WriteAllTextAsync(Path.Combine(dir, "issuing.pem"), issuerPem);
        Run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", Path.Combine(dir, "responder.key")]);
        Run("openssl", ["req", "-x509", "-new", "-key", Path.Combine(dir, "responder.key"), "-subj", "/CN=OpenSSL Bench Responder", "-days", "2", "-out", Path.Combine(dir, "responder.pem")]);
        var ours = new Uri(new Uri(settings.Url), "/api/ocsp/");

        // Every request once to each, before anything is timed: a server that answers with an OCSP error status
        // (HTTP 200 all the same) would otherwise be measured as fast.
        if (!await CheckAsync(ours, requests, closeConnection: false))
        {
            return false;
        }

        using (var checking = await OpenSslResponder.StartAsync(dir, requests[0]))
        {
            if (!await CheckAsync(checking.Url, requests, closeConnection: true))
            {
                return false;
            }
        }

        // Ours warmed (JIT), then each measured alone on the same machine, in rounds that alternate the servers, so
        // load that comes and goes on a shared machine weighs on both. OpenSSL 3.0's responder has nothing to warm,
        // and each round starts a fresh one: a child whose connection wrk drops at the end of a run spins on it for
        // good, so a second run against it would measure nothing and steal both cores.
        Wrk(script, ours, settings.ServerPid, threads, settings.Clients, WarmUpSeconds, closeConnections: false);
        var keepAlive = new List<WrkResult>();
        var closing = new List<WrkResult>();
        var theirs = new List<WrkResult>();
        for (var round = 1; round <= rounds; round++)
        {
            keepAlive.Add(Wrk(script, ours, settings.ServerPid, threads, settings.Clients, seconds, closeConnections: false));
            closing.Add(Wrk(script, ours, settings.ServerPid, threads, settings.Clients, seconds, closeConnections: true));
            using (var responder = await OpenSslResponder.StartAsync(dir, requests[0]))
            {
                theirs.Add(Wrk(script, responder.Url, responder.Pid, threads, settings.Clients, seconds, closeConnections: true));
            }

            var prefix = rounds > 1 ? $"round {round}, " : "";
            Console.WriteLine("  " + keepAlive[^1].Describe(prefix + "ours (keep-alive)"));
            Console.WriteLine("  " + closing[^1].Describe(prefix + "ours (Connection: close)"));
            Console.WriteLine("  " + theirs[^1].Describe(prefix + "openssl (Connection: close)"));
        }

        // Over all rounds: responses served over the time measured, for each server.
        var theirRate = WrkResult.MeanRate(theirs);
        Console.WriteLine(string.Format(Inv,
            "  OCSP ratio ours/openssl = {0:F2} as each serves (keep-alive vs close; target >= 2; by round {1}); {2:F2} connection for connection",
            WrkResult.MeanRate(keepAlive) / theirRate, string.Join(", ", keepAlive.Zip(theirs, (o, t) => (o.Rate / t.Rate).ToString("F2", Inv))),
            WrkResult.MeanRate(closing) / theirRate));
        Console.WriteLine(string.Format(Inv, "  server CPU per response: ours {0:F0} us keep-alive, {1:F0} us with Connection: close; openssl {2:F0} us",
            WrkResult.MeanCpuMicroseconds(keepAlive), WrkResult.MeanCpuMicroseconds(closing), WrkResult.MeanCpuMicroseconds(theirs)));

        // OpenSSL's responder resets some connections under load; those count against its rate, not as a bench failure.
        return keepAlive.Concat(closing).Sum(r => r.Failures) == 0;
    }

    /// <summary>
    /// A wrk script that sends the requests in turn (each thread from its own starting point) under the URL's path,
    /// and prints one parseable line with wrk's own figures when the run ends.
    /// </summary>
    private static string WrkScript(string[] requests)
    {
        var script = new StringBuilder();
        script.Append("local encoded = {\n");
        foreach (var request in requests)
        {
            script.Append("  \"").Append(request).Append("\",\n");
        }

        script.Append("""
            }
            local prepared = {}
            local i = 0
            local threads = 0

            function setup(thread)
              thread:set("offset", threads)
              threads = threads + 1
            end

            function init(args)
              -- Built once per thread: wrk sends the bytes request() returns, nothing is formatted per request.
              local base = wrk.path
              if base:sub(-1) ~= "/" then base = base .. "/" end
              for k, e in ipairs(encoded) do prepared[k] = wrk.format("GET", base .. e) end
              i = offset or 0
            end

            function request()
              i = i % #prepared + 1
              return prepared[i]
            end

            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("WRK requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
                summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
                latency:percentile(50), latency:percentile(99)))
            end

            """);
        return script.ToString();
    }

    /// <param name="ServerCpu">CPU time the server spent during the run: per response it varies far less than the rate when other work shares the machine.</param>
    private sealed record WrkResult(long Requests, double Seconds, long Non2xx, long SocketErrors, double P50Ms, double P99Ms, TimeSpan ServerCpu)
    {
        /// <summary>Only 2xx answers count: refused or failed requests would flatter the rate.</summary>
        public double Rate => (Requests - Non2xx) / Seconds;

        public long Failures => Non2xx + SocketErrors;

        public double CpuMicrosecondsPerResponse => ServerCpu.TotalMicroseconds / (Requests - Non2xx);

        public static double MeanRate(IReadOnlyCollection<WrkResult> runs) => runs.Sum(r => r.Requests - r.Non2xx) / runs.Sum(r => r.Seconds);

        public static double MeanCpuMicroseconds(IReadOnlyCollection<WrkResult> runs) =>
            runs.Sum(r => r.ServerCpu.TotalMicroseconds) / runs.Sum(r => r.Requests - r.Non2xx);

        public string Describe(string name) => string.Format(Inv,
            "{0,-39} {1,7:F0} responses/s, p50 {2:F2} ms, p99 {3:F2} ms, non-2xx {4}, socket errors {5}, server CPU {6:F0} us/response ({7:N0} requests in {8:F1} s)",
            name + ":", Rate, P50Ms, P99Ms, Non2xx, SocketErrors, CpuMicrosecondsPerResponse, Requests, Seconds);
    }

    /// <param name="serverPid">The server's process: its CPU time (and its children's) per response is printed beside the rate.</param>
    /// <param name="closeConnections">Send Connection: close, so wrk opens a connection per request (OpenSSL's responder closes each one anyway).</param>
    private static WrkResult Wrk(string script, Uri url, int serverPid, int threads, int connections, int seconds, bool closeConnections)
    {
        string[] close = closeConnections ? ["-H", "Connection: close"] : [];
        var cpuBefore = CpuTime(serverPid);
        var output = Run("wrk", [$"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "5s", .. close, "-s", script, url.ToString()]);
        var cpu = CpuTime(serverPid) - cpuBefore;
        var line = output.Split('\n').Last(l => l.StartsWith("WRK ", StringComparison.Ordinal));
        var figures = line[4..].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1], Inv));
        return new WrkResult(figures["requests"], figures["duration_us"] / 1e6, figures["non2xx"],
            figures["connect"] + figures["read"] + figures["write"] + figures["timeout"], figures["p50_us"] / 1e3, figures["p99_us"] / 1e3, cpu);
    }

    /// <summary>User and system CPU time of a process and its live children (OpenSSL's responder serves from two).</summary>
    internal static TimeSpan CpuTime(int pid)
    {
        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, Inv));
        var total = TimeSpan.Zero;
        foreach (var id in children.Prepend(pid))
        {
            using var process = Process.GetProcessById(id);
            total += process.TotalProcessorTime;
        }

        return total;
    }

    /// <summary>Sends each request once and checks that every answer is a successful OCSP response.</summary>
    private static async Task<bool> CheckAsync(Uri baseUrl, string[] requests, bool closeConnection)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var request in requests)
        {
            using var response = await SendAsync(http, request, closeConnection);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode || !IsSuccessfulOcspResponse(body))
            {
                Console.WriteLine($"  {baseUrl} did not answer a successful OCSP response: HTTP {(int)response.StatusCode}, {body.Length} bytes: {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 12)))}");
                return false;
            }
        }

        return true;
    }

    /// <summary>A GET tried up to three times: OpenSSL's responder now and then resets a connection instead of answering.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string request, bool closeConnection)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, request);
            message.Headers.ConnectionClose = closeConnection;
            try
            {
                return await http.SendAsync(message);
            }
            catch (HttpRequestException) when (attempt < CheckAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED (0 = successful), responseBytes [0] ... }.</summary>
    private static bool IsSuccessfulOcspResponse(byte[] body)
    {
        if (body.Length < 8 || body[0] != 0x30)
        {
            return false;
        }

        var at = body[1] < 0x80 ? 2 : 2 + (body[1] & 0x7F);
        return body[at] == 0x0A && body[at + 1] == 1 && body[at + 2] == 0 && body.Length > at + 3;
    }

    private static byte[] Request(Org.BouncyCastle.X509.X509Certificate issuer, string serial)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(new AlgorithmIdentifier(OiwObjectIdentifiers.IdSha1, DerNull.Instance), issuer, new Org.BouncyCastle.Math.BigInteger(serial, 16)));
        return generator.Generate().GetEncoded();
    }

    private static async Task<string> IssueAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("/api/certificates", new { csr = BenchCsrs.New("ocspbench.internal"), profile = "tls-server", owner = "bench@corp.internal" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<IssuedView>();
        return body!.SerialNumber;
    }

    private static void WriteIndex(string path, int entries)
    {
        using var writer = new StreamWriter(path, false, Encoding.ASCII, 1 << 20);
        var serial = new byte[SerialNumbers.Bytes];
        var expiry = DateTime.UtcNow.AddDays(60).ToString("yyMMddHHmmss", Inv) + "Z";
        for (var i = 0; i < entries; i++)
        {
            RandomNumberGenerator.Fill(serial);
            serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
            var revoked = DateTime.UtcNow.AddSeconds(-i).ToString("yyMMddHHmmss", Inv) + "Z," + (i % 3 == 0 ? "keyCompromise" : "superseded");
            writer.Write($"R\t{expiry}\t{revoked}\t{Convert.ToHexString(serial)}\tunknown\t/CN=e{i}\n");
        }
    }

    /// <summary>Runs a process under GNU time; returns wall seconds, peak RSS in KB and its stdout.</summary>
    private static (double Wall, long PeakKb, string Stdout) Timed(string file, string[] args)
    {
        var output = Run("/usr/bin/time", ["-f", "TIMED %e %M", file, .. args]);
        var line = output.Split('\n').Last(l => l.StartsWith("TIMED ", StringComparison.Ordinal)).Split(' ');
        return (double.Parse(line[1], Inv), long.Parse(line[2], Inv), output);
    }

    /// <summary>Runs a process to its end; returns stdout and stderr together (openssl and GNU time report on stderr).</summary>
    private static string Run(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result + stderr.Result;
    }

    /// <summary>
    /// Waits until the responder answers a real request. A bare connect would not do: OpenSSL 3.0's responder child
    /// that reads end-of-stream before a request loops on it for good, a core lost for the rest of the run.
    /// </summary>
    private static async Task WaitForAsync(Uri address, string request)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 100; i++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, request);
            message.Headers.ConnectionClose = true;
            try
            {
                using var response = await http.SendAsync(message);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"{address} did not answer");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Count(string[] args, string name, int fallback) => Arg(args, name) is { } value ? int.Parse(value, Inv) : fallback;

    /// <summary>`openssl ocsp -index -multi 2` over the index, issuer and responder key in a folder; ready once it answers the probe request; killed with its children on dispose.</summary>
    private sealed class OpenSslResponder : IDisposable
    {
        private readonly Process _process;

        private OpenSslResponder(Process process, Uri url)
        {
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public int Pid => _process.Id;

        public static async Task<OpenSslResponder> StartAsync(string dir, string probe)
        {
            var port = FreePort();
            var process = Process.Start(new ProcessStartInfo("openssl",
                ["ocsp", "-index", Path.Combine(dir, "index.txt"), "-port", port.ToString(Inv), "-rsigner", Path.Combine(dir, "responder.pem"),
                 "-rkey", Path.Combine(dir, "responder.key"), "-CA", Path.Combine(dir, "issuing.pem"), "-multi", "2", "-nmin", "60"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;

            // Drain its output: an unread pipe fills and blocks the responder mid-run.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var responder = new OpenSslResponder(process, new Uri($"http://127.0.0.1:{port}/"));
            try
            {
                await WaitForAsync(responder.Url, probe);
                return responder;
            }
            catch
            {
                responder.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private sealed record AuthorityView(string Id, string Role);

    private sealed record IssuedView(string SerialNumber);
}
