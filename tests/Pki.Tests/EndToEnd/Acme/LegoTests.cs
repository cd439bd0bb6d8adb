using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real lego (Debian's 4.9.1, installed by local/test) against the dev host over HTTPS, trusting only our root:
/// EAB registration, then obtain, renew and revoke by the account key with each challenge lego solves itself: http-01
/// and tls-alpn-01 on its own servers, dns-01 through its exec hook setting TXT records in pebble-challtestsrv, the
/// resolver the service asks (Pki:Acme:DnsResolver). openssl judges what lego saved.
/// </summary>
public sealed class LegoTests(AcmeDnsHostFixture host) : IClassFixture<AcmeDnsHostFixture>
{
    [Fact]
    public Task Lego_registers_with_eab_obtains_with_http01_renews_and_revokes() =>
        ObtainRenewRevokeAsync("client.web.internal", ["--http", "--http.port", "127.0.0.1:" + host.Http01Port.ToString(CultureInfo.InvariantCulture)], "http-01");

    [Fact]
    public Task Lego_registers_with_eab_obtains_with_tls_alpn01_renews_and_revokes() =>
        ObtainRenewRevokeAsync("tls.web.internal", ["--tls", "--tls.port", "127.0.0.1:" + host.TlsAlpn01Port.ToString(CultureInfo.InvariantCulture)], "tls-alpn-01");

    [Fact]
    public Task Lego_registers_with_eab_obtains_with_dns01_through_an_exec_hook_renews_and_revokes() =>
        ObtainRenewRevokeAsync("dns.web.internal", ["--dns", "exec", "--dns.resolvers", host.Dns.Resolver, "--dns.disable-cp"], "dns-01");

    private async Task ObtainRenewRevokeAsync(string name, string[] challenge, string challengeType)
    {
        Assert.True(File.Exists("/usr/bin/lego"), "lego is missing: local/test installs Debian's lego package (local/lib.sh pki_install_prerequisites).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var (kid, hmac) = await host.CreateEabAsync();
        string[] common = ["--accept-tos", "--email", "ops@web.internal", "--domains", name, "--key-type", "ec256", .. challenge,

            // lego asks for the EAB on every command when the directory requires one; it registers only once.
            "--eab", "--kid", kid, "--hmac", hmac];

        Lego(ssl, root, [.. common, "run"]);
        var cert = Path.Combine(ssl.Directory, ".lego", "certificates", name + ".crt");
        var issuer = Path.Combine(ssl.Directory, ".lego", "certificates", name + ".issuer.crt");
        Openssl.AssertVerifies(root, issuer, cert, "sslserver");
        var first = ClientProcess.Serial(cert);
        Assert.Equal("web", (await ClientProcess.CertificateAsync(host, first)).GetProperty("team").GetString());
        await AssertValidatedByAsync(name, challengeType);

        Lego(ssl, root, [.. common, "renew", "--days", "100", "--no-random-sleep"]);
        var second = ClientProcess.Serial(cert);
        Assert.NotEqual(first, second);
        Openssl.AssertVerifies(root, issuer, cert, "sslserver");

        Lego(ssl, root, [.. common, "revoke", "--reason", "4"]);
        var revoked = await ClientProcess.CertificateAsync(host, second);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("superseded", revoked.GetProperty("revocationReason").GetString());
    }

    /// <summary>lego was told one challenge type; the stored authorizations for <paramref name="name"/> show that one valid and no other tried.</summary>
    private async Task AssertValidatedByAsync(string name, string type)
    {
        var table = new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + Pki.Core.Storage.AcmeTableNames.Authorizations);
        var authorizations = new List<Pki.Core.Acme.AcmeAuthorization>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            var authorization = JsonSerializer.Deserialize<Pki.Core.Acme.AcmeAuthorization>(row.GetString("Data"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            if (authorization.Identifier.Value == name)
            {
                authorizations.Add(authorization);
            }
        }

        Assert.NotEmpty(authorizations);
        Assert.All(authorizations, a =>
        {
            Assert.Equal(["http-01", "tls-alpn-01", "dns-01"], a.Challenges.Select(c => c.Type));
            Assert.Equal("valid", a.Challenges.Single(c => c.Type == type).Status);
            Assert.All(a.Challenges.Where(c => c.Type != type), c => Assert.Equal("pending", c.Status));
        });
    }

    private void Lego(Openssl ssl, string root, string[] args)
    {
        // lego's exec DNS provider runs this with present|cleanup, the record's FQDN and its value.
        var hook = Path.Combine(ssl.Directory, "dns-hook.sh");
        if (!File.Exists(hook))
        {
            File.WriteAllText(hook, """
                #!/bin/sh
                set -eu
                case "$1" in
                  present) curl -fsS -d "{\"host\":\"$2\",\"value\":\"$3\"}" "$CHALLTESTSRV/set-txt" ;;
                  cleanup) curl -fsS -d "{\"host\":\"$2\"}" "$CHALLTESTSRV/clear-txt" ;;
                esac
                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var psi = new ProcessStartInfo("lego") { WorkingDirectory = ssl.Directory };
        psi.ArgumentList.Add("--server");
        psi.ArgumentList.Add(host.DirectoryUrl);
        psi.ArgumentList.Add("--path");
        psi.ArgumentList.Add(Path.Combine(ssl.Directory, ".lego"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["LEGO_CA_CERTIFICATES"] = root;
        psi.Environment["EXEC_PATH"] = hook;
        psi.Environment["EXEC_PROPAGATION_TIMEOUT"] = "30";
        psi.Environment["EXEC_POLLING_INTERVAL"] = "1";
        psi.Environment["CHALLTESTSRV"] = host.Dns.ManagementUrl.ToString().TrimEnd('/');
        ClientProcess.Run(psi, $"lego {string.Join(' ', args)}", () => host.ErrorLog() + "\n" + host.Dns.Log());
    }


}
