using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// A dev host serving plain HTTP (the admin API) and HTTPS (ACME, with a server certificate our CA issued it), with
/// EAB keys wrapped under a random key, http-01 and tls-alpn-01 validation on free ports, and the test names fixed to
/// loopback (and one to an address outside the allowed networks).
/// </summary>
public class AcmeHostFixture : DevHostFixture
{
    /// <summary>Names of team "web" (granted *.web.internal) that validation reaches on 127.0.0.1.</summary>
    public static readonly string[] LoopbackNames = ["certbot.web.internal", "corpus.web.internal", "client.web.internal", "renew.web.internal", "node.web.internal", "tls.web.internal", "alpn.web.internal", "dehydrated.web.internal"];

    /// <summary>A name of team "web" that validation resolves to TEST-NET-1, outside Pki:Discovery:AllowedNetworks (127.0.0.0/8).</summary>
    public const string OutsideName = "outside.web.internal";

    public int Http01Port { get; } = FreePort();

    public int TlsAlpn01Port { get; } = FreePort();

    /// <summary>This host's ACME settings, which a second host on the same storage must share (the EAB wrapping key above all).</summary>
    public string[] AcmeArgs { get; } =
    [
        "--Pki:Acme:EabKeyWrappingKey=" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        "--Pki:Acme:ValidationRetrySeconds=1",
        "--Pki:Acme:ValidationAttempts=2",
        "--Pki:Acme:ValidationTimeoutSeconds=5",
        "--Pki:Discovery:AllowedNetworks:0=127.0.0.0/8",
        "--Pki:Discovery:AllowedNetworks:1=::1/128",

        // Team web may also name loopback addresses (ip identifiers, RFC 8738), and 192.0.2.0/24 (TEST-NET-1), which
        // the name policy's default IP ranges leave out: granted, yet refused by policy.
        "--Pki:Access:Teams:web:Names:2=127.0.0.0/8",
        "--Pki:Access:Teams:web:Names:3=::1",
        "--Pki:Access:Teams:web:Names:4=192.0.2.0/24",
        .. LoopbackNames.Select((n, i) => $"--Pki:Acme:ValidationHosts:{i}={n}=127.0.0.1"),
        $"--Pki:Acme:ValidationHosts:{LoopbackNames.Length}={OutsideName}=192.0.2.10",
    ];

    public Uri HttpsBase { get; private set; } = null!;

    public string DirectoryUrl => new Uri(HttpsBase, "/api/acme/directory").ToString();

    /// <summary>The root CA certificate, PEM: what an ACME client is told to trust.</summary>
    public string RootPem { get; private set; } = string.Empty;

    public override async Task InitializeAsync()
    {
        await StartHostAsync(
        [
            "--urls=http://127.0.0.1:0;https://127.0.0.1:0",
            "--Pki:Acme:Http01Port=" + Http01Port,
            "--Pki:Acme:TlsAlpn01Port=" + TlsAlpn01Port,
            .. AcmeArgs,
            .. ExtraHostArgs(),
        ], ConfigureServices);
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        var http = addresses.Single(a => a.Scheme == "http");
        HttpsBase = addresses.Single(a => a.Scheme == "https");
        Client.Dispose();
        BaseAddress = http;
        Client = TestCallers.Admin.Client(http);
        RootPem = await Client.GetStringAsync($"/api/ca/{RootId}/certificate");

        // The first handshake has our CA issue the host its TLS certificate; its derived rows are written beside the
        // answer. Done and settled here, so that tests counting rows see only what their own requests wrote.
        using (var https = AcmeClient())
        {
            (await https.GetAsync("/api/acme/directory")).EnsureSuccessStatusCode();
        }

        await App.Services.GetRequiredService<Pki.Core.Authority.IssuanceFollowUp>().WhenIdleAsync();
    }

    /// <summary>Services a derived fixture replaces in this host (a fake clock, a recording notifier).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Settings a derived fixture adds to this host's.</summary>
    protected virtual string[] ExtraHostArgs() => [];

    /// <summary>Creates an EAB credential for <paramref name="team"/> as the admin: its key id and HMAC key (base64url).</summary>
    public async Task<(string Kid, string HmacKey)> CreateEabAsync(string team = "web")
    {
        using var response = await Client.PostAsJsonAsync("/api/acme/eab", new { team, owner = "web-owners@corp.internal" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("kid").GetString()!, json.RootElement.GetProperty("hmacKey").GetString()!);
    }

    /// <summary>An HttpClient for the HTTPS side that trusts exactly our root, as a configured ACME client does.</summary>
    public HttpClient AcmeClient()
    {
        var root = X509Certificate2.CreateFromPem(RootPem);
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var verify = new X509Chain();
                    verify.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    verify.ChainPolicy.CustomTrustStore.Add(root);
                    verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (chain is not null)
                    {
                        foreach (var element in chain.ChainElements)
                        {
                            verify.ChainPolicy.ExtraStore.Add(element.Certificate);
                        }
                    }

                    return verify.Build(new X509Certificate2(certificate)) && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == 0;
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = HttpsBase, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>
    /// A free port below Linux's ephemeral range (32768–60999): a port the kernel hands out for 0 can be taken meanwhile
    /// by any outgoing connection's local end, and then the http-01 server cannot bind it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(20000, 32000);
            try
            {
                using var v4 = new TcpListener(IPAddress.Loopback, port);
                v4.Start();
                using var v6 = new TcpListener(IPAddress.IPv6Loopback, port);
                v6.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free port between 20000 and 32000 on loopback.");
    }
}
