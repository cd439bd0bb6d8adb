using System.Diagnostics;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real dehydrated (Debian's 0.7.0, installed by local/test) against the dev host over HTTPS, trusting only our
/// root (its curl gets <c>--cacert</c>): an RSA account key, so every request is RS256; EAB registration (0.7.0 reads
/// <c>EAB_KID</c>/<c>EAB_HMAC_KEY</c>); http-01 through its WELLKNOWN directory, served by a small local HTTP server;
/// issue, forced renewal and revocation by the account; openssl judges the chain dehydrated saved.
/// </summary>
public sealed class DehydratedTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>
{
    private const string Name = "dehydrated.web.internal";

    [Fact]
    public async Task Dehydrated_with_an_rsa_account_registers_with_eab_issues_renews_and_revokes()
    {
        Assert.True(File.Exists("/usr/bin/dehydrated"), "dehydrated is missing: local/test installs Debian's dehydrated package (local/lib.sh pki_install_prerequisites).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var baseDir = Directory.CreateDirectory(Path.Combine(ssl.Directory, "dehydrated")).FullName;
        await using var wellKnown = await WellKnownDirectoryServer.StartAsync(Path.Combine(ssl.Directory, "well-known"), host.Http01Port);
        var (kid, hmac) = await host.CreateEabAsync();
        var config = ssl.Write("config", $"""
            CA="{host.DirectoryUrl}"
            BASEDIR="{baseDir}"
            WELLKNOWN="{wellKnown.Directory}"
            CURL_OPTS="--cacert {root} --noproxy *"
            CONTACT_EMAIL="ops@web.internal"
            EAB_KID="{kid}"
            EAB_HMAC_KEY="{hmac}"
            KEYSIZE=2048
            KEY_ALGO=prime256v1
            """.ReplaceLineEndings("\n"));

        Dehydrated(config, "--register", "--accept-terms");
        var accountKey = Directory.GetFiles(Path.Combine(baseDir, "accounts"), "account_key.pem", SearchOption.AllDirectories).Single();
        Assert.Contains("Private-Key: (2048 bit", Openssl.Run("rsa", "-in", accountKey, "-noout", "-text").EnsureSuccess().Stdout, StringComparison.Ordinal);

        Dehydrated(config, "--cron", "--domain", Name);
        var certs = Path.Combine(baseDir, "certs", Name);
        Openssl.AssertVerifies(root, Path.Combine(certs, "chain.pem"), Path.Combine(certs, "cert.pem"), "sslserver");
        var first = ClientProcess.Serial(Path.Combine(certs, "cert.pem"));
        var issued = await ClientProcess.CertificateAsync(host, first);
        Assert.Equal("web", issued.GetProperty("team").GetString());
        Assert.Equal("web-owners@corp.internal", issued.GetProperty("owner").GetString());

        Dehydrated(config, "--cron", "--force", "--domain", Name);
        var second = ClientProcess.Serial(Path.Combine(certs, "cert.pem"));
        Assert.NotEqual(first, second);
        Openssl.AssertVerifies(root, Path.Combine(certs, "chain.pem"), Path.Combine(certs, "cert.pem"), "sslserver");
        Openssl.AssertVerifies(root, Path.Combine(certs, "fullchain.pem"), Path.Combine(certs, "fullchain.pem"), "sslserver");

        Dehydrated(config, "--revoke", Path.Combine(certs, "cert.pem"));
        Assert.Equal("revoked", (await ClientProcess.CertificateAsync(host, second)).GetProperty("status").GetString());
        Assert.Equal("issued", (await ClientProcess.CertificateAsync(host, first)).GetProperty("status").GetString());
    }

    private void Dehydrated(string config, params string[] args)
    {
        var psi = new ProcessStartInfo("dehydrated");
        foreach (var arg in (string[])["--config", config, .. args])
        {
            psi.ArgumentList.Add(arg);
        }

        ClientProcess.Run(psi, $"dehydrated {string.Join(' ', args)}", host.ErrorLog);
    }


}
