using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Pki.Core.Revocation;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

/// <summary>
/// What an anonymous client can make the OCSP responder sign: a flood of POSTs that no pre-signed or cached response
/// answers (each request distinct: unknown serials, unknown serials with a nonce, our certificate with a nonce) for a
/// fixed time against a host with the default on-demand budget, and in the same run against one whose budget is out of
/// reach (the responder as it was before the budget), in rounds that alternate the two so load that comes and goes on a
/// shared machine weighs on both. A response counts as signed for its request when it is successful and names an
/// unknown serial or echoes the request's nonce; every such response is verified afterwards.
/// </summary>
internal static class OcspFloodBench
{
    private const int WarmUpRequests = 200;

    /// <summary>Responses kept for verification after the timed run; enough for a minute of the unbounded host.</summary>
    private const int MaxKept = 50_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(Settings settings, string[] args)
    {
        var referenceUrl = Arg(args, "reference-url") ?? throw new ArgumentException("--reference-url is required");
        var referencePid = int.Parse(Arg(args, "reference-pid") ?? "0", Inv);
        var seconds = int.Parse(Arg(args, "seconds") ?? "10", Inv);
        var rounds = int.Parse(Arg(args, "rounds") ?? "2", Inv);
        var defaults = new RevocationOptions();
        using var http = settings.Authenticated(new HttpClient { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromMinutes(1) });
        var issuing = (await http.GetFromJsonAsync<AuthorityView[]>("/api/ca"))!.First(a => a.Role == "issuing");
        var issuerPem = await http.GetStringAsync($"/api/ca/{issuing.Id}/certificate");
        var issuer = new BcCertificate(Convert.FromBase64String(string.Concat(issuerPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))));
        using var issued = await http.PostAsJsonAsync("/api/certificates", new { csr = BenchCsrs.New("ocspflood.internal"), profile = "tls-server", owner = "bench@corp.internal" });
        issued.EnsureSuccessStatusCode();
        var known = new BcBigInteger((await issued.Content.ReadFromJsonAsync<IssuedView>())!.SerialNumber, 16);

        Console.WriteLine($"OCSP flood: {settings.Clients} anonymous clients POSTing for {seconds} s, each request distinct (a third unknown serials, a third unknown serials with a nonce, a third our certificate with a nonce), {rounds} rounds:");
        var bound = defaults.OcspOnDemandSignatureBurst + (defaults.OcspOnDemandSignaturesPerSecond * seconds);
        var ours = new List<FloodResult>();
        var reference = new List<FloodResult>();
        for (var round = 1; round <= rounds; round++)
        {
            ours.Add(await FloodAsync($"round {round}, ours (default budget)", new Uri(settings.Url), settings.ServerPid, issuer, known, settings.Clients, seconds, defaults));
            reference.Add(await FloodAsync($"round {round}, reference (no budget)", new Uri(referenceUrl), referencePid, issuer, known, settings.Clients, seconds, defaults));
        }

        Console.WriteLine(string.Format(Inv,
            "  budget: {0}/s and a burst of {1} per instance, so at most {1} + {0} x {2} s = {3} signatures ({4:F1}/s) a round",
            defaults.OcspOnDemandSignaturesPerSecond, defaults.OcspOnDemandSignatureBurst, seconds, bound, bound / (double)seconds));
        Console.WriteLine(string.Format(Inv,
            "  over all rounds: ours {0:F1} requests/s, {1:F1} signatures/s ({2:F3} a request), {3:F0} us host CPU a request; " +
            "reference {4:F1} requests/s, {5:F1} signatures/s ({6:F3} a request), {7:F0} us host CPU a request; signatures/s ours / reference = {8:F3}",
            FloodResult.RequestRate(ours), FloodResult.SignedRate(ours), FloodResult.PerRequest(ours), FloodResult.CpuMicroseconds(ours),
            FloodResult.RequestRate(reference), FloodResult.SignedRate(reference), FloodResult.PerRequest(reference), FloodResult.CpuMicroseconds(reference),
            FloodResult.SignedRate(ours) / FloodResult.SignedRate(reference)));
        return ours.Concat(reference).Sum(r => r.Bad) == 0 && ours.All(r => r.Signed <= bound) ? 0 : 1;
    }

    private static async Task<FloodResult> FloodAsync(string name, Uri url, int pid, BcCertificate issuer, BcBigInteger known, int clients, int seconds, RevocationOptions defaults)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        // Warm-up (JIT, connections) with the common request, which signs nothing; then time for the budget to be full.
        var common = Request(issuer, known, nonce: null);
        for (var i = 0; i < WarmUpRequests; i++)
        {
            await SendAsync(http, common);
        }

        await Task.Delay(TimeSpan.FromSeconds(1 + Math.Ceiling(defaults.OcspOnDemandSignatureBurst / (double)Math.Max(1, defaults.OcspOnDemandSignaturesPerSecond))));

        var counts = new long[Enum.GetValues<Outcome>().Length];
        var kept = new ConcurrentBag<(byte[] Response, byte[]? Nonce)>();
        long sent = 0;
        var cpuBefore = pid > 0 ? RevocationBench.CpuTime(pid) : TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < until)
            {
                var kind = Interlocked.Increment(ref sent) % 3;
                var nonce = kind == 0 ? null : RandomNumberGenerator.GetBytes(16);
                var serial = kind == 2 ? known : new BcBigInteger(1, RandomNumberGenerator.GetBytes(8));
                var body = await SendAsync(http, Request(issuer, serial, nonce));
                var outcome = Classify(body, nonce, unknownSerial: kind != 2);
                Interlocked.Increment(ref counts[(int)outcome]);
                if (outcome is Outcome.SignedUnknown or Outcome.SignedNonce && kept.Count < MaxKept)
                {
                    kept.Add((body, nonce));
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = pid > 0 ? RevocationBench.CpuTime(pid) - cpuBefore : TimeSpan.Zero;

        // Every response counted as signed for its request must verify with the responder certificate it carries.
        var verified = kept.Count(k => Verifies(k.Response, issuer));
        var result = new FloodResult(counts.Sum(), counts[(int)Outcome.SignedUnknown] + counts[(int)Outcome.SignedNonce], elapsed, cpu,
            counts[(int)Outcome.Other] + (kept.Count - verified));
        Console.WriteLine(string.Format(Inv,
            "  {0,-38} {1,6:N0} requests in {2:F1} s = {3,6:F1}/s; signed for the request {4,6:N0} = {5,6:F1}/s ({6:N0} unknown, {7:N0} nonce echoed; {8:N0} of {9:N0} kept verified); " +
            "pre-signed without the nonce {10:N0}; tryLater {11:N0}; other {12:N0}; host CPU {13:F0} us a request",
            name + ":", result.Requests, elapsed, result.Requests / elapsed, result.Signed, result.Signed / elapsed,
            counts[(int)Outcome.SignedUnknown], counts[(int)Outcome.SignedNonce], verified, kept.Count,
            counts[(int)Outcome.Presigned], counts[(int)Outcome.TryLater], counts[(int)Outcome.Other], cpu.TotalMicroseconds / result.Requests));
        return result;
    }

    private static async Task<byte[]> SendAsync(HttpClient http, byte[] request)
    {
        using var content = new ByteArrayContent(request) { Headers = { ContentType = new MediaTypeHeaderValue("application/ocsp-request") } };
        using var response = await http.PostAsync("/api/ocsp", content);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : [];
    }

    private static Outcome Classify(byte[] body, byte[]? nonce, bool unknownSerial)
    {
        try
        {
            var response = new OcspResp(body);
            if (response.Status == OcspRespStatus.TryLater)
            {
                return Outcome.TryLater;
            }

            if (response.Status != OcspRespStatus.Successful || response.GetResponseObject() is not BasicOcspResp basic)
            {
                return Outcome.Other;
            }

            var echoed = basic.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNonce) is { } value
                && nonce is not null && Asn1OctetString.GetInstance(value.GetOctets()).GetOctets().AsSpan().SequenceEqual(nonce);
            return (unknownSerial, echoed) switch
            {
                (true, _) when basic.Responses[0].GetCertStatus() is UnknownStatus => echoed || nonce is null ? Outcome.SignedUnknown : Outcome.Other,
                (false, true) => Outcome.SignedNonce,
                (false, false) => Outcome.Presigned,
                _ => Outcome.Other,
            };
        }
        catch (Exception e) when (e is IOException or OcspException or ArgumentException)
        {
            return Outcome.Other;
        }
    }

    /// <summary>The response's signature checks with the responder certificate it carries, and that certificate with the issuing CA's key.</summary>
    private static bool Verifies(byte[] body, BcCertificate issuer)
    {
        var basic = (BasicOcspResp)new OcspResp(body).GetResponseObject();
        var responder = basic.GetCerts().FirstOrDefault();
        if (responder is null || !basic.Verify(responder.GetPublicKey()))
        {
            return false;
        }

        try
        {
            responder.Verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException)
        {
            return false;
        }
    }

    private static byte[] Request(BcCertificate issuer, BcBigInteger serial, byte[]? nonce)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(new AlgorithmIdentifier(OiwObjectIdentifiers.IdSha1, DerNull.Instance), issuer, serial));
        if (nonce is not null)
        {
            generator.SetRequestExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = new(false, new DerOctetString(new DerOctetString(nonce))),
            }));
        }

        return generator.Generate().GetEncoded();
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private enum Outcome
    {
        SignedUnknown,
        SignedNonce,
        Presigned,
        TryLater,
        Other,
    }

    /// <param name="Cpu">CPU time the host spent during the run.</param>
    /// <param name="Bad">Answers that were neither a verified signature, a pre-signed response nor tryLater.</param>
    private sealed record FloodResult(long Requests, long Signed, double Seconds, TimeSpan Cpu, long Bad)
    {
        public static double RequestRate(IReadOnlyCollection<FloodResult> runs) => runs.Sum(r => r.Requests) / runs.Sum(r => r.Seconds);

        public static double SignedRate(IReadOnlyCollection<FloodResult> runs) => runs.Sum(r => r.Signed) / runs.Sum(r => r.Seconds);

        public static double PerRequest(IReadOnlyCollection<FloodResult> runs) => runs.Sum(r => r.Signed) / (double)runs.Sum(r => r.Requests);

        public static double CpuMicroseconds(IReadOnlyCollection<FloodResult> runs) => runs.Sum(r => r.Cpu.TotalMicroseconds) / runs.Sum(r => r.Requests);
    }

    private sealed record AuthorityView(string Id, string Role);

    private sealed record IssuedView(string SerialNumber);
}
