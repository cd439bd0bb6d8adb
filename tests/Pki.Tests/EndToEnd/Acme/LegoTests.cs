using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real lego (Debian's 4.9.1, installed by local/test) against the dev host over HTTPS, trusting only our root:
/// EAB registration, http-01 on its own server, renew, revoke by the account key; openssl judges what lego saved.
/// </summary>
public sealed class LegoTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>
{
    [Fact]
    public async Task Lego_registers_with_eab_obtains_with_http01_renews_and_revokes()
    {
        Assert.True(File.Exists("/usr/bin/lego"), "lego is missing: local/test installs Debian's lego package (local/lib.sh pki_install_prerequisites).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var (kid, hmac) = await host.CreateEabAsync();
        const string name = "client.web.internal";
        string[] common = ["--accept-tos", "--email", "ops@web.internal", "--domains", name, "--key-type", "ec256",
            "--http", "--http.port", "127.0.0.1:" + host.Http01Port.ToString(CultureInfo.InvariantCulture),

            // lego asks for the EAB on every command when the directory requires one; it registers only once.
            "--eab", "--kid", kid, "--hmac", hmac];

        Lego(ssl, root, [.. common, "run"]);
        var cert = Path.Combine(ssl.Directory, ".lego", "certificates", name + ".crt");
        var issuer = Path.Combine(ssl.Directory, ".lego", "certificates", name + ".issuer.crt");
        Openssl.AssertVerifies(root, issuer, cert, "sslserver");
        var first = Serial(cert);
        Assert.Equal("web", (await CertificateAsync(first)).GetProperty("team").GetString());

        Lego(ssl, root, [.. common, "renew", "--days", "100", "--no-random-sleep"]);
        var second = Serial(cert);
        Assert.NotEqual(first, second);
        Openssl.AssertVerifies(root, issuer, cert, "sslserver");

        Lego(ssl, root, [.. common, "revoke", "--reason", "4"]);
        var revoked = await CertificateAsync(second);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("superseded", revoked.GetProperty("revocationReason").GetString());
    }

    private void Lego(Openssl ssl, string root, string[] args)
    {
        var psi = new ProcessStartInfo("lego") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ssl.Directory };
        psi.ArgumentList.Add("--server");
        psi.ArgumentList.Add(host.DirectoryUrl);
        psi.ArgumentList.Add("--path");
        psi.ArgumentList.Add(Path.Combine(ssl.Directory, ".lego"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["LEGO_CA_CERTIFICATES"] = root;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"lego did not finish in 2 minutes: {stdout.Result}\n{stderr.Result}\n{host.ErrorLog()}");
        }

        Assert.True(process.ExitCode == 0, $"lego {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}\n{stderr.Result}\n{host.ErrorLog()}");
    }

    private static string Serial(string pem) =>
        Openssl.Run("x509", "-in", pem, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..].ToLowerInvariant();

    private async Task<JsonElement> CertificateAsync(string serial) =>
        JsonDocument.Parse(await host.Client.GetStringAsync($"/api/certificates/{serial}")).RootElement.Clone();
}
