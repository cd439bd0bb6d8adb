using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real uacme (Debian's 1.7.4, installed by local/test) against the dev host over HTTPS: EAB registration (uacme
/// 1.7.4 has <c>-e KEYID:KEY</c>), an IP identifier (127.0.0.1, RFC 8738) validated by http-01 through uacme's hook
/// program, and an account key change (<c>uacme newkey</c>, RFC 8555 §7.3.5) after which the new key orders again;
/// openssl judges the chain uacme saved.
/// </summary>
/// <remarks>
/// uacme has no option or environment variable for the CA to trust: its libcurl (GnuTLS) reads /etc/ssl/certs. Rather
/// than adding a test root to the machine's trust store, each uacme run gets a private mount namespace (util-linux's
/// <c>unshare</c>, as an unprivileged user namespace) in which a directory holding only our root is bound over
/// /etc/ssl/certs, so it trusts exactly our root, as the other clients' tests do.
/// </remarks>
public sealed class UacmeTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>
{
    private const string Address = "127.0.0.1";

    [Fact]
    public async Task Uacme_registers_with_eab_obtains_an_ip_certificate_through_its_hook_and_changes_its_account_key()
    {
        Assert.True(File.Exists("/usr/bin/uacme"), "uacme is missing: local/test installs Debian's uacme package (local/lib.sh pki_install_prerequisites).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var trust = Directory.CreateDirectory(Path.Combine(ssl.Directory, "trust")).FullName;
        File.Copy(root, Path.Combine(trust, "root.pem"));
        var conf = Path.Combine(ssl.Directory, "uacme");
        await using var wellKnown = await WellKnownDirectoryServer.StartAsync(Path.Combine(ssl.Directory, "well-known"), host.Http01Port);
        var hook = Hook(ssl.Directory, wellKnown.Directory);
        var (kid, hmac) = await host.CreateEabAsync();

        Uacme(trust, conf, "-y", "-t", "EC", "-e", kid + ":" + hmac, "new", "ops@web.internal");
        Uacme(trust, conf, "-h", hook, "-t", "EC", "issue", Address);
        var cert = Path.Combine(conf, Address, "cert.pem");
        Openssl.AssertVerifies(root, cert, cert, "sslserver");
        Assert.Contains("IP Address:" + Address, Openssl.Run("x509", "-in", cert, "-noout", "-ext", "subjectAltName").EnsureSuccess().Stdout, StringComparison.Ordinal);
        var first = ClientProcess.Serial(cert);
        Assert.Equal("web", (await ClientProcess.CertificateAsync(host, first)).GetProperty("team").GetString());

        var keyFile = Path.Combine(conf, "private", "key.pem");
        var oldKey = File.ReadAllText(keyFile);
        Uacme(trust, conf, "newkey");
        var newKey = File.ReadAllText(keyFile);
        Assert.NotEqual(oldKey, newKey);

        // The server agrees: the old key finds no account any more, the new key finds the account uacme registered.
        using var https = host.AcmeClient();
        Assert.Equal(HttpStatusCode.BadRequest, await FindAccountAsync(https, oldKey));
        Assert.Equal(HttpStatusCode.OK, await FindAccountAsync(https, newKey));

        // And it orders: a forced reissue signed with the new key, taking the server's first alternate chain (-l 1: the
        // same path with the root appended), which uacme finds through the download's Link rel="alternate".
        Assert.Equal(2, CertificatesIn(cert).Count);
        Uacme(trust, conf, "-f", "-l", "1", "-h", hook, "issue", Address);
        var second = ClientProcess.Serial(cert);
        Assert.NotEqual(first, second);
        Openssl.AssertVerifies(root, cert, cert, "sslserver");
        var chain = CertificatesIn(cert);
        Assert.Equal(3, chain.Count);
        Assert.Equal(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(host.RootPem).Thumbprint, chain[^1].Thumbprint);
    }

    /// <summary>uacme's hook protocol (METHOD TYPE IDENT TOKEN AUTH): http-01 writes the key authorization where the server reads it.</summary>
    private static string Hook(string directory, string wellKnown)
    {
        var path = Path.Combine(directory, "hook.sh");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            # uacme hook: $1 method, $2 type, $3 identifier, $4 token, $5 key authorization
            dir='{{wellKnown}}'
            case "$1:$2" in
              begin:http-01) printf '%s' "$5" > "$dir/$4" ;;
              done:http-01|failed:http-01) rm -f "$dir/$4" ;;
              *) exit 1 ;;
            esac
            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>newAccount with onlyReturnExisting signed by <paramref name="keyPem"/>: 200 when an account holds the key, 400 accountDoesNotExist when none does.</summary>
    private async Task<HttpStatusCode> FindAccountAsync(HttpClient https, string keyPem)
    {
        // GnuTLS writes an EC key's private scalar with a leading zero byte when its top bit is set (33 bytes for P-256,
        // where RFC 5915 asks for exactly 32), which .NET refuses; openssl reads it and writes PKCS#8.
        using var ssl = new Openssl();
        var pkcs8 = Openssl.Run("pkey", "-in", ssl.Write("key.pem", keyPem)).EnsureSuccess().Stdout;
        AsymmetricAlgorithm key = keyPem.Contains("RSA", StringComparison.Ordinal) ? RSA.Create() : ECDsa.Create();
        key.ImportFromPem(pkcs8);
        var client = await new AcmeTestClient(https, host.DirectoryUrl, key).LoadAsync();
        using var response = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["onlyReturnExisting"] = true }, useJwk: true);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal("urn:ietf:params:acme:error:accountDoesNotExist", (await AcmeTestClient.JsonAsync(response))["type"]!.GetValue<string>());
        }

        return response.StatusCode;
    }

    private void Uacme(string trust, string conf, params string[] args)
    {
        var psi = new ProcessStartInfo("unshare");
        foreach (var arg in (string[])["--user", "--map-root-user", "--mount", "sh", "-c", "mount --bind \"$0\" /etc/ssl/certs && exec uacme \"$@\"", trust,
                     "-v", "-a", host.DirectoryUrl, "-c", conf, .. args])
        {
            psi.ArgumentList.Add(arg);
        }

        ClientProcess.Run(psi, $"uacme {string.Join(' ', args)}", host.ErrorLog);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection CertificatesIn(string path)
    {
        var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }


}
