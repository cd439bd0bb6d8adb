using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Two dev host processes on one storage account and one token, started at the same moment on a fresh state, the
/// way Azure scales a Function App out: one key per CA and responder, one hierarchy, and concurrent issuance on
/// both with no duplicate, CRL numbers that never repeat, and an audit chain that verifies. Separate processes, because a PKCS#11 module is
/// initialised once per process and a shared one would hide a race between hosts.
/// </summary>
[Collection(TokenExclusiveCollection.Name)]
public sealed partial class TwoHostTests : IAsyncLifetime
{
    private const int CertificatesPerHost = 8;
    private readonly string _prefix = TestEnvironment.UniqueId("h");
    private readonly string _rootId = TestEnvironment.UniqueId("root-");
    private readonly string _issuingId = TestEnvironment.UniqueId("issuing-");
    private readonly List<DevHostProcess> _hosts = [];

    public async Task InitializeAsync()
    {
        _hosts.AddRange([DevHostProcess.Start(Args()), DevHostProcess.Start(Args())]);
        await Task.WhenAll(_hosts.Select(h => h.WaitUntilListeningAsync()));
    }

    [Fact]
    public async Task Two_hosts_started_together_share_one_hierarchy_and_one_key_per_label_and_issue_without_duplicates()
    {
        var (a, b) = (_hosts[0], _hosts[1]);
        var issued = await Task.WhenAll(Enumerable.Range(0, 2 * CertificatesPerHost).Select(i =>
            (i % 2 == 0 ? a : b).Client.IssueAsync(Convert.ToBase64String(Csrs.Ec($"two-hosts-{i}.internal", [$"two-hosts-{i}.internal"])))));

        var serials = issued.Select(c => c.GetProperty("serialNumber").GetString()!).ToList();
        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.Single(issued.Select(c => c.GetProperty("chainPem").GetString()).Distinct());
        Assert.Equal(await a.Client.GetStringAsync($"/api/ca/{_rootId}/certificate"), await b.Client.GetStringAsync($"/api/ca/{_rootId}/certificate"));

        foreach (var serial in serials)
        {
            foreach (var host in _hosts)
            {
                using var read = await host.Client.GetAsync("/api/certificates/" + serial);
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
        }

        // One private key per CA and one for the responder, whichever host made it (labels get a suffix of their own).
        var labels = PrivateKeyLabels();
        Assert.Single(labels, l => KeyOf(_rootId).IsMatch(l));
        Assert.Single(labels, l => KeyOf(_issuingId).IsMatch(l));
        Assert.Single(labels, l => KeyOf(_issuingId + "-ocsp").IsMatch(l));

        // CRLs published on both hosts at once never share a number (RFC 5280 5.2.3: monotonically increasing).
        var published = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? a : b).Client.PostAsync($"/api/ca/{_issuingId}/crl", null)));
        var numbers = new List<string>();
        foreach (var response in published)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            numbers.AddRange((await response.JsonAsync()).EnumerateArray().Where(c => c.GetProperty("published").GetBoolean()).Select(c => c.GetProperty("crlNumber").ToString()));
            response.Dispose();
        }

        Assert.NotEmpty(numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());

        var verify = await (await a.Client.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        Assert.Empty(_hosts.SelectMany(h => h.Errors()));
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private string[] Args() => DevHostProcess.Args(_prefix, _rootId, _issuingId);

    /// <summary>The label itself (a key made before key records) or the label and the 8 hex digits a creation adds.</summary>
    private static Regex KeyOf(string label) => new("^" + Regex.Escape(label) + "(-[0-9a-f]{8})?$");

    /// <summary>The labels of the token's private keys, as p11tool (GnuTLS, not our code) lists them.</summary>
    private static List<string> PrivateKeyLabels()
    {
        var psi = new ProcessStartInfo("p11tool",
        [
            "--provider", TestEnvironment.Pkcs11Library, "--login", "--set-pin", TestEnvironment.UserPin,
            "--list-privkeys", "--only-urls", $"pkcs11:token={TestEnvironment.TokenLabel}",
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "p11tool failed: " + stderr.Result);
        return [.. ObjectLabel().Matches(output).Select(m => Uri.UnescapeDataString(m.Groups[1].Value))];
    }

    [GeneratedRegex(@"object=([^;\s]+)")]
    private static partial Regex ObjectLabel();
}
