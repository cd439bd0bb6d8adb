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
/// certificates; CRL generation for N revoked entries against `openssl ca -gencrl` on an index of N.
/// </summary>
internal static class RevocationBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(Settings settings, string[] args)
    {
        var work = Directory.CreateTempSubdirectory("pki-revbench-").FullName;
        try
        {
            var ocspOk = await OcspAsync(settings, work, Count(args, "ocsp-certificates", 200), Count(args, "ocsp-seconds", 10));
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

    private static async Task<bool> OcspAsync(Settings settings, string work, int certificates, int seconds)
    {
        Console.WriteLine($"OCSP GET, {certificates} certificates, {settings.Clients} concurrent clients, {seconds} s each:");
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

        var paths = serials.Select(s => "/api/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(Request(issuerCert, s)))).ToArray();

        // OpenSSL's responder over the same certificates: an index of them, a P-256 responder key, two processes.
        var dir = Path.Combine(work, "ocsp");
        Directory.CreateDirectory(dir);
        var expiry = DateTime.UtcNow.AddDays(60).ToString("yyMMddHHmmss", Inv) + "Z";
        await File.WriteAllLinesAsync(Path.Combine(dir, "index.txt"), serials.Select(s => $"V\t{expiry}\t\t{s.ToUpperInvariant()}\tunknown\t/CN={s}"));
        await File.WriteAllTextAsync(Path.Combine(dir, "issuing.pem"), issuerPem);
        Run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", Path.Combine(dir, "responder.key")]);
        Run("openssl", ["req", "-x509", "-new", "-key", Path.Combine(dir, "responder.key"), "-subj", "/CN=OpenSSL Bench Responder", "-days", "2", "-out", Path.Combine(dir, "responder.pem")]);
        var port = FreePort();
        using var responder = Process.Start(new ProcessStartInfo("openssl",
            ["ocsp", "-index", Path.Combine(dir, "index.txt"), "-port", port.ToString(Inv), "-rsigner", Path.Combine(dir, "responder.pem"),
             "-rkey", Path.Combine(dir, "responder.key"), "-CA", Path.Combine(dir, "issuing.pem"), "-multi", "2", "-nmin", "60"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;

        // Drain its output: an unread pipe fills and blocks the responder mid-run.
        responder.OutputDataReceived += (_, _) => { };
        responder.ErrorDataReceived += (_, _) => { };
        responder.BeginOutputReadLine();
        responder.BeginErrorReadLine();
        try
        {
            var opensslBase = new Uri($"http://127.0.0.1:{port}");
            await WaitForAsync(opensslBase);
            var opensslPaths = paths.Select(p => p["/api/ocsp".Length..]).ToArray();

            // Warm both, then measure each alone on the same machine, ours first.
            await LoadAsync(new Uri(settings.Url), paths, settings.Clients, 2, closeConnections: false);
            await LoadAsync(opensslBase, opensslPaths, settings.Clients, 2, closeConnections: true);
            var ours = await LoadAsync(new Uri(settings.Url), paths, settings.Clients, seconds, closeConnections: false);
            var oursClosing = await LoadAsync(new Uri(settings.Url), paths, settings.Clients, seconds, closeConnections: true);
            var theirs = await LoadAsync(opensslBase, opensslPaths, settings.Clients, seconds, closeConnections: true);
            Console.WriteLine(string.Format(Inv, "  ours (keep-alive):        {0,6:F0} responses/s, p50 {1:F2} ms, p99 {2:F2} ms, failures {3}", ours.Rate, ours.P50, ours.P99, ours.Failures));
            Console.WriteLine(string.Format(Inv, "  ours (connection close):  {0,6:F0} responses/s, p50 {1:F2} ms, p99 {2:F2} ms, failures {3}", oursClosing.Rate, oursClosing.P50, oursClosing.P99, oursClosing.Failures));
            Console.WriteLine(string.Format(Inv, "  openssl (closes each):    {0,6:F0} responses/s, p50 {1:F2} ms, p99 {2:F2} ms, failures {3}", theirs.Rate, theirs.P50, theirs.P99, theirs.Failures));
            Console.WriteLine(string.Format(Inv, "  OCSP ratio ours/openssl = {0:F2} as each serves (keep-alive vs close); {1:F2} connection for connection (target >= 2)",
                ours.Rate / theirs.Rate, oursClosing.Rate / theirs.Rate));
            // OpenSSL's responder resets some connections under load; those count against its rate, not as a bench failure.
            return ours.Failures + oursClosing.Failures == 0;
        }
        finally
        {
            responder.Kill(entireProcessTree: true);
        }
    }

    private sealed record LoadResult(double Rate, double P50, double P99, long Failures);

    /// <param name="closeConnections">Send Connection: close, so every request opens a connection (OpenSSL's responder closes each one anyway).</param>
    private static async Task<LoadResult> LoadAsync(Uri baseAddress, string[] paths, int clients, int seconds, bool closeConnections)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        long succeeded = 0, failures = 0;
        string? firstFailure = null;
        void Failed(string why)
        {
            Interlocked.Increment(ref failures);
            Interlocked.CompareExchange(ref firstFailure, why, null);
        }

        var latencies = new List<double>[clients];
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = new List<double>();
            var i = c;
            while (until.Elapsed.TotalSeconds < seconds)
            {
                var sw = Stopwatch.StartNew();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, paths[i % paths.Length]);
                    request.Headers.ConnectionClose = closeConnections;
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode || !IsSuccessfulOcspResponse(body))
                    {
                        Failed($"HTTP {(int)response.StatusCode}, {body.Length} bytes: {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 12)))}");
                    }
                    else
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                }
                catch (HttpRequestException e)
                {
                    Failed(e.Message + " " + e.InnerException?.Message);
                }

                mine.Add(sw.Elapsed.TotalMilliseconds);
                i += clients;
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        if (firstFailure is not null)
        {
            Console.WriteLine($"  first failure against {baseAddress}: {firstFailure}");
        }

        // Only successful responses count: a refused connection fails fast and would flatter the rate.
        return new LoadResult(succeeded / until.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], failures);
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

    /// <summary>Waits until the port accepts a connection; sends nothing (a malformed request knocks OpenSSL's responder over).</summary>
    private static async Task WaitForAsync(Uri address)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(address.Host, address.Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
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

    private sealed record AuthorityView(string Id, string Role);

    private sealed record IssuedView(string SerialNumber);
}
