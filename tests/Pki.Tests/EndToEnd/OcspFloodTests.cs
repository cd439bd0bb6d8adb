using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Signing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A counting host whose OCSP responder may sign 3 responses on demand at once and 1 a second after that.</summary>
public sealed class OcspBudgetHostFixture : CountingHostFixture
{
    public const int Burst = 3;

    protected override string[] Settings =>
        ["--Pki:Revocation:OcspOnDemandSignaturesPerSecond=1", $"--Pki:Revocation:OcspOnDemandSignatureBurst={Burst}"];

    /// <summary>The responder's key of the issuing CA (created by the first call if there is none yet).</summary>
    public async Task<KeyUri> ResponderKeyAsync()
    {
        var ca = await App.Services.GetRequiredService<AuthorityDirectory>().GetAsync(IssuingId);
        return (await App.Services.GetRequiredService<ResponderCertificates>().GetAsync(ca)).Signer.Key.KeyUri;
    }

    /// <summary>Time enough for the budget to be full again, whatever an earlier test spent.</summary>
    public void RefillBudget() => Time.Advance(TimeSpan.FromSeconds(Burst));
}

/// <summary>What an anonymous client can make the OCSP responder sign, judged by openssl ocsp.</summary>
public sealed class OcspFloodTests(OcspBudgetHostFixture host) : IClassFixture<OcspBudgetHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task A_flood_of_unknown_serials_gets_signatures_up_to_the_budget_then_trylater_and_a_repeat_is_answered_from_memory()
    {
        var (root, issuing) = await ChainAsync();
        var responder = await host.ResponderKeyAsync();
        host.RefillBudget();
        var before = host.Keys.SignaturesWith(responder);

        var answers = Enumerable.Range(1, 8).Select(i => Unknown(root, issuing, Serial(i))).ToArray();

        // Each unknown serial needs a signature of its own: the budget's three are signed and verify; the rest are tryLater.
        foreach (var (serial, result) in answers.Take(OcspBudgetHostFixture.Burst).Select((r, i) => (Serial(i + 1), r)))
        {
            Assert.Contains("Response verify OK", result.Stdout + result.Stderr);
            Assert.Contains(serial + ": unknown", result.Stdout);
        }

        Assert.All(answers.Skip(OcspBudgetHostFixture.Burst), r => Assert.Contains("Responder Error: trylater (3)", r.Stdout + r.Stderr));
        Assert.Equal(OcspBudgetHostFixture.Burst, host.Keys.SignaturesWith(responder) - before);

        // The same request again (no nonce: the same bytes) is answered from memory, budget spent or not.
        var again = Unknown(root, issuing, Serial(1));
        Assert.Contains("Response verify OK", again.Stdout + again.Stderr);
        Assert.Contains(Serial(1) + ": unknown", again.Stdout);
        Assert.Equal(OcspBudgetHostFixture.Burst, host.Keys.SignaturesWith(responder) - before);

        // A second later the budget holds one more signature.
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(Serial(100) + ": unknown", Unknown(root, issuing, Serial(100)).Stdout);
        var past = Unknown(root, issuing, Serial(101));
        Assert.Contains("Responder Error: trylater (3)", past.Stdout + past.Stderr);
        Assert.Equal(OcspBudgetHostFixture.Burst + 1, host.Keys.SignaturesWith(responder) - before);
    }

    [Fact]
    public async Task Past_the_budget_a_nonce_gets_the_presigned_response_without_it_and_another_hash_gets_trylater()
    {
        var key = _ssl.NewKey("nonce.key", "ec:P-256");
        var issued = await host.Client.IssueAsync(_ssl.NewCsr(key, "/CN=nonce.internal", "DNS:nonce.internal"));
        var leaf = _ssl.Write("nonce.pem", issued.GetProperty("certificatePem").GetString()!);
        var (root, issuing) = await ChainAsync();
        var responder = await host.ResponderKeyAsync();

        // Within the budget a nonce is echoed, in a response signed for it.
        host.RefillBudget();
        var signed = Query(root, issuing, "-cert", leaf, "-nonce");
        Assert.Contains("Response verify OK", signed.Stdout + signed.Stderr);
        Assert.Contains(leaf + ": good", signed.Stdout);
        Assert.DoesNotContain("WARNING: no nonce in response", signed.Stdout + signed.Stderr);

        // Spend the rest on unknown serials.
        for (var i = 0; !Unknown(root, issuing, Serial(200 + i)).Stdout.Contains("trylater", StringComparison.Ordinal) && i < 10; i++)
        {
        }

        var before = host.Keys.SignaturesWith(responder);
        var presigned = Query(root, issuing, "-cert", leaf, "-nonce");
        Assert.Contains("WARNING: no nonce in response", presigned.Stdout + presigned.Stderr);
        Assert.Contains("Response verify OK", presigned.Stdout + presigned.Stderr);
        Assert.Contains(leaf + ": good", presigned.Stdout);

        // A SHA-256 CertID cannot be answered with the SHA-1 response stored for the certificate.
        var sha256 = Query(root, issuing, "-sha256", "-cert", leaf, "-no_nonce");
        Assert.Contains("Responder Error: trylater (3)", sha256.Stdout + sha256.Stderr);
        Assert.Equal(before, host.Keys.SignaturesWith(responder));

        // The common request, SHA-1 and no nonce, is never held back.
        Assert.Contains(leaf + ": good", Query(root, issuing, "-cert", leaf, "-no_nonce").Stdout);
        Assert.Equal(before, host.Keys.SignaturesWith(responder));
    }

    /// <summary>A serial this CA never issued (random 127-bit serials never come this small).</summary>
    private static string Serial(int i) => "0x" + (0x1000 + i).ToString("x", CultureInfo.InvariantCulture);

    private OpensslResult Unknown(string root, string issuing, string serial) => Query(root, issuing, "-serial", serial, "-no_nonce");

    private OpensslResult Query(string root, string issuing, params string[] request) =>
        Openssl.Run(["ocsp", "-issuer", issuing, .. request, "-url", new Uri(host.BaseAddress, "/api/ocsp").ToString(), "-CAfile", root, "-verify_other", issuing]);

    private async Task<(string Root, string Issuing)> ChainAsync() =>
        (_ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate")),
         _ssl.Write("issuing.pem", await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate")));
}
