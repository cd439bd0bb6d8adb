using System.Diagnostics;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real certbot (Debian's 2.1, installed by local/test) against the dev host over HTTPS, trusting only our root:
/// register with EAB, obtain with http-01 standalone, renew, revoke; openssl judges the chain certbot saved.
/// </summary>
public sealed class CertbotTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>
{
    [Fact]
    public async Task Certbot_registers_with_eab_obtains_renews_and_revokes_over_https()
    {
        Assert.True(File.Exists("/usr/bin/certbot"), "certbot is missing: local/test installs Debian's certbot package (local/lib.sh pki_install_prerequisites).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var (kid, hmac) = await host.CreateEabAsync();
        const string name = "certbot.web.internal";

        Certbot(ssl, root, "register", "--agree-tos", "-m", "ops@web.internal", "--eab-kid", kid, "--eab-hmac-key", hmac);
        Certbot(ssl, root, "certonly", "--standalone", "--http-01-port", host.Http01Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-01-address", "127.0.0.1", "-d", name, "--cert-name", "web", "--key-type", "ecdsa");

        var live = Path.Combine(ssl.Directory, "config", "live", "web");
        Openssl.AssertVerifies(root, Path.Combine(live, "chain.pem"), Path.Combine(live, "cert.pem"), "sslserver");
        var first = ClientProcess.Serial(Path.Combine(live, "cert.pem"));
        var issued = await ClientProcess.CertificateAsync(host, first);
        Assert.Equal("web", issued.GetProperty("team").GetString());
        Assert.Equal("web-owners@corp.internal", issued.GetProperty("owner").GetString());
        Assert.False(issued.GetProperty("autoRenew").GetBoolean());
        Assert.Contains("DNS:" + name, Openssl.Run("x509", "-in", Path.Combine(live, "cert.pem"), "-noout", "-ext", "subjectAltName").EnsureSuccess().Stdout);

        Certbot(ssl, root, "renew", "--cert-name", "web", "--force-renewal", "--no-random-sleep-on-renew",
            "--http-01-port", host.Http01Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-01-address", "127.0.0.1");
        var second = ClientProcess.Serial(Path.Combine(live, "cert.pem"));
        Assert.NotEqual(first, second);
        Openssl.AssertVerifies(root, Path.Combine(live, "chain.pem"), Path.Combine(live, "cert.pem"), "sslserver");

        Certbot(ssl, root, "revoke", "--cert-path", Path.Combine(live, "cert.pem"), "--reason", "keycompromise", "--no-delete-after-revoke");
        var revoked = await ClientProcess.CertificateAsync(host, second);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("keyCompromise", revoked.GetProperty("revocationReason").GetString());
        Assert.Equal("issued", (await ClientProcess.CertificateAsync(host, first)).GetProperty("status").GetString());
    }

    private void Certbot(Openssl ssl, string root, params string[] args)
    {
        var psi = new ProcessStartInfo("certbot");
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (option, dir) in new[] { ("--config-dir", "config"), ("--work-dir", "work"), ("--logs-dir", "logs") })
        {
            psi.ArgumentList.Add(option);
            psi.ArgumentList.Add(Path.Combine(ssl.Directory, dir));
        }

        psi.ArgumentList.Add("--server");
        psi.ArgumentList.Add(host.DirectoryUrl);
        psi.ArgumentList.Add("--non-interactive");

        // certbot trusts what requests trusts: only our root.
        psi.Environment["REQUESTS_CA_BUNDLE"] = root;
        var log = Path.Combine(ssl.Directory, "logs", "letsencrypt.log");
        ClientProcess.Run(psi, $"certbot {args[0]}", () =>
            (File.Exists(log) ? File.ReadAllText(log)[^Math.Min(6000, (int)new FileInfo(log).Length)..] : string.Empty) + "\n" + host.ErrorLog());
    }


}
