using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Core.Signing;
using Pki.Core.Signing.Pkcs11;

// Issuance through HTTP on the local stack, and in the same run the raw SoftHSM2 signing rate through
// our signer: the ratio says how much of the HSM's ceiling the service delivers. Started by local/bench.
switch (args.FirstOrDefault())
{
    // Discovery needs no stack (no storage, token or dev host): a fleet of TLS servers and two scanners.
    case "discovery":
        return await DiscoveryBench.RunAsync(args);
    case "discovery-fleet":
        return await DiscoveryBench.FleetAsync(args);
    case "discovery-scan":
        return await DiscoveryBench.ScanChildAsync(args);

    // Renewal planning needs Azurite only.
    case "renewal":
        return await RenewalBench.RunAsync(args);
}

var settings = Settings.Parse(args);
var inv = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "revocation":
        return await RevocationBench.RunAsync(settings, args);
    case "crl-encode":
        return await RevocationBench.EncodeChildAsync(settings, args);
    case "ocsp-flood":
        return await OcspFloodBench.RunAsync(settings, args);
    case "dashboard":
        return await DashboardBench.RunAsync(settings, args);
}

Console.WriteLine($"bench: {settings.Requests} requests, {settings.Clients} concurrent clients, server {settings.Url} (pid {settings.ServerPid})");
var csrs = Enumerable.Range(0, 16).Select(i => NewCsr($"bench{i}.internal")).ToArray();
using var http = settings.Authenticated(new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients }) { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromMinutes(2) });

// Warm-up: JIT, connection pool, table creation, signer session.
await Issue(http, csrs[0]);
await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(i => Issue(http, csrs[i % csrs.Length])));

var latencies = new double[settings.Requests];
var next = -1;
var failures = 0;
var total = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < settings.Requests)
    {
        var sw = Stopwatch.StartNew();
        if (!await Issue(http, csrs[i % csrs.Length]))
        {
            Interlocked.Increment(ref failures);
        }

        latencies[i] = sw.Elapsed.TotalMilliseconds;
        if ((i + 1) % Math.Max(1, settings.Requests / 5) == 0)
        {
            Console.Error.WriteLine($"  {i + 1}/{settings.Requests} issued");
        }
    }
}));
total.Stop();
Array.Sort(latencies);
var issuanceRate = settings.Requests / total.Elapsed.TotalSeconds;
var peakRss = PeakRssMiB(settings.ServerPid);
Console.WriteLine(string.Format(inv,
    "issuance over HTTP: {0} certificates in {1:F1} s = {2:F1} certificates/s; latency p50 {3:F1} ms, p99 {4:F1} ms; failures {5}; server peak RSS {6}",
    settings.Requests, total.Elapsed.TotalSeconds, issuanceRate, Percentile(latencies, 0.50), Percentile(latencies, 0.99), failures,
    peakRss is null ? "n/a" : peakRss.Value.ToString("F0", inv) + " MiB"));

// The ceiling: the same key type and scheme as the issuing CA, signed through Pkcs11KeyManager directly.
using var keys = new Pkcs11KeyManager(
    Options.Create(new Pkcs11Options { LibraryPath = settings.Pkcs11Library, TokenLabel = settings.TokenLabel, UserPin = settings.UserPin }),
    NullLogger<Pkcs11KeyManager>.Instance);
var uri = KeyUri.Pkcs11(settings.TokenLabel, "bench-" + Guid.NewGuid().ToString("N")[..8]);
await keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256));
var signer = await keys.CreateSignerAsync(new CreateSignerRequest(uri, SignatureScheme.EcdsaSha256));
var tbs = RandomNumberGenerator.GetBytes(600); // about the size of a leaf TBSCertificate
signer.Sign(tbs);
long signatures = 0;
var signing = Stopwatch.StartNew();
var until = TimeSpan.FromSeconds(settings.SignSeconds);
await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(_ => Task.Run(() =>
{
    while (signing.Elapsed < until)
    {
        signer.Sign(tbs);
        Interlocked.Increment(ref signatures);
    }
})));
signing.Stop();
var signingRate = signatures / signing.Elapsed.TotalSeconds;
Console.WriteLine(string.Format(inv, "raw SoftHSM2 signing (ECDSA P-256 via Pkcs11KeyManager, {0} threads): {1} signatures in {2:F1} s = {3:F1} signatures/s",
    settings.Clients, signatures, signing.Elapsed.TotalSeconds, signingRate));
Console.WriteLine(string.Format(inv, "issuance / signing ceiling = {0:F1} / {1:F1} = {2:F3}", issuanceRate, signingRate, issuanceRate / signingRate));

// Where the rest goes: each issuance of one DNS name makes 14 table writes (counted from the HTTP requests the
// dev host sent while issuing 20 certificates): reserve, issued, expiry index, renewal index, request record; the
// pre-signed OCSP response and its refresh-index row; the inventory item, its name-index row and its first
// expiry-notice row; the event outbox row added and deleted; the audit transaction; the caller's rate counter.
// Not counted: 4 point reads and 1 queue message.
const int WritesPerIssuance = 14;
var storage = await StorageWriteRate(settings, WritesPerIssuance);
Console.WriteLine(string.Format(inv, "Azurite table writes ({0} concurrent): {1:F1} writes/s, so a {2}-write issuance is capped near {3:F1}/s; issuance / that = {4:F3}",
    settings.Clients, storage, WritesPerIssuance, storage / WritesPerIssuance, issuanceRate / (storage / WritesPerIssuance)));
return failures == 0 ? 0 : 1;

static async Task<double> StorageWriteRate(Settings settings, int writesPerIssuance)
{
    var table = new Azure.Data.Tables.TableClient(settings.Storage, "benchwrites" + Guid.NewGuid().ToString("N")[..8]);
    await table.CreateIfNotExistsAsync();
    var writes = settings.Requests * writesPerIssuance;
    var next = -1;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < writes)
        {
            await table.AddEntityAsync(new Azure.Data.Tables.TableEntity(i.ToString("x8", CultureInfo.InvariantCulture), string.Empty)
            {
                ["Payload"] = new byte[800],
            });
        }
    }));
    sw.Stop();
    await table.DeleteAsync();
    return writes / sw.Elapsed.TotalSeconds;
}

static string NewCsr(string name) => BenchCsrs.New(name);

static async Task<bool> Issue(HttpClient http, string csr)
{
    using var response = await http.PostAsJsonAsync("/api/certificates", new { csr, profile = "tls-server", owner = "bench@corp.internal" });
    if (!response.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"  {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    return response.IsSuccessStatusCode;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static double? PeakRssMiB(int pid)
{
    var path = $"/proc/{pid}/status";
    if (pid <= 0 || !File.Exists(path))
    {
        return null;
    }

    var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

internal sealed record Settings(string Url, int Requests, int Clients, int ServerPid, double SignSeconds, string Pkcs11Library, string TokenLabel, string UserPin, string Storage)
{
    /// <summary>The dev host's throwaway admin key local/bench made (the API needs a caller).</summary>
    public static string ApiKey => Environment.GetEnvironmentVariable("PKI_BENCH_API_KEY") ?? throw new ArgumentException("PKI_BENCH_API_KEY is required");

    /// <summary><paramref name="client"/>, sending the benchmark's API key.</summary>
    public HttpClient Authenticated(HttpClient client)
    {
        client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return client;
    }

    public static Settings Parse(string[] args)
    {
        string Arg(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1]
                : fallback ?? throw new ArgumentException($"--{name} is required");
        }

        return new Settings(
            Arg("url"),
            int.Parse(Arg("requests", "2000"), CultureInfo.InvariantCulture),
            int.Parse(Arg("clients", "8"), CultureInfo.InvariantCulture),
            int.Parse(Arg("server-pid", "0"), CultureInfo.InvariantCulture),
            double.Parse(Arg("sign-seconds", "10"), CultureInfo.InvariantCulture),
            Arg("pkcs11-library"),
            Arg("token-label"),
            Environment.GetEnvironmentVariable("PKI_BENCH_PIN") ?? throw new ArgumentException("PKI_BENCH_PIN is required"),
            Environment.GetEnvironmentVariable("PKI_BENCH_STORAGE") ?? throw new ArgumentException("PKI_BENCH_STORAGE is required"));
    }
}

/// <summary>A fresh P-256 key and a CSR for one DNS name, as policy requires.</summary>
internal static class BenchCsrs
{
    public static string New(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequestPem();
    }
}
