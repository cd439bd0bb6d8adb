using Pki.Core.Access;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Errors;
using Pki.Core.Inventory;
using Pki.Core.Signing;
using Pki.Core.Signing.Software;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Pki.Tests.Unit.Inventory;

namespace Pki.Tests.Integration.Inventory;

/// <summary>The inventory's recorder, store and reads against Azurite's Table service.</summary>
public sealed class InventoryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(TestCertificates.Now);
    private readonly IOptions<PkiOptions> _options;
    private readonly InMemoryAuthorityStore _authorities = new();
    private readonly InMemoryCertificateStore _certificates = new();
    private readonly SoftwareKeyManager _keys = new();
    private readonly TableInventoryItemStore _items;
    private readonly TableInventoryLocationStore _locations;
    private readonly TableInventoryNameIndex _names;
    private readonly InventoryRecorder _recorder;
    private readonly InventoryService _inventory;
    private readonly InMemoryAuditStore _audit;
    private readonly X509Certificate2 _ourRoot;
    private readonly X509Certificate2 _ourIssuing;

    public InventoryTests()
    {
        _options = Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("inv") },
            Inventory = { OwnerRules = [new OwnerRuleOptions { Pattern = "*.payments.test", Team = "payments", Owner = "pat@payments.test" }] },
        });
        var storage = new TableStorage(_options);
        _items = new TableInventoryItemStore(storage);
        _locations = new TableInventoryLocationStore(storage);
        _names = new TableInventoryNameIndex(storage);
        (_ourRoot, _) = TestCertificates.Root("CN=Our Root");
        (_ourIssuing, _) = TestCertificates.Issued(_ourRoot, "CN=Our Issuing", ca: true);
        AddAuthority("root", CaRole.Root, _ourRoot);
        AddAuthority("issuing", CaRole.Issuing, _ourIssuing);
        var anchors = new TrustAnchors(new AuthorityDirectory(_authorities, _keys, _options), _options, _time);
        _recorder = new InventoryRecorder(_items, _locations, _names, _certificates, anchors, new OwnerRules(_options.Value.Inventory), _options, _time, NullLogger<InventoryRecorder>.Instance);
        (var trail, _audit) = InMemoryAuditStore.Trail(_time);
        _inventory = new InventoryService(_items, _locations, _names, trail, _options, _time, new CallerContext());
    }

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Seeing_the_same_chain_again_moves_last_seen_and_creates_nothing_new()
    {
        var (_, leaf) = TestCertificates.Issued(_ourIssuing, "CN=www.payments.test", dns: ["www.payments.test"]);
        var result = Scan("127.0.0.1", 8443, "www.payments.test", leaf.Der, _ourIssuing.RawData);

        await _recorder.RecordEndpointAsync(result, "sweep-1");
        _time.Advance(TimeSpan.FromHours(1));
        await _recorder.RecordEndpointAsync(result, "sweep-2");

        var item = await _inventory.GetAsync(leaf.Fingerprint);
        var location = Assert.Single(item.Locations!);
        Assert.Equal("127.0.0.1:8443/www.payments.test", location.Location);
        Assert.Equal(TestCertificates.Now, location.FirstSeen);
        Assert.Equal(TestCertificates.Now.AddHours(1), location.LastSeen);
        Assert.Equal("sweep-2", location.SweepId);
        Assert.Equal([leaf.Fingerprint, Fingerprint(_ourIssuing)], location.Chain);
        Assert.Equal(TestCertificates.Now, item.FirstSeen);
        Assert.Equal(TestCertificates.Now.AddHours(1), item.LastSeen);
        Assert.Equal(["endpoint"], item.Sources);
        Assert.Equal("issuing", item.IssuerCaId);
        Assert.Empty(item.Findings);

        // The rule filled owner and team; the intermediate the endpoint sent is an item of its own, at position 1.
        Assert.Equal(("pat@payments.test", "payments", "rule"), (item.Owner, item.Team, item.OwnerSource));
        var intermediate = await _inventory.GetAsync(Fingerprint(_ourIssuing));
        Assert.Equal(1, Assert.Single(intermediate.Locations!).Position);

        var all = await _inventory.ListAsync(new InventoryQuery(), 50, null);
        Assert.Equal(2, all.Items.Count);
    }

    [Fact]
    public async Task Location_findings_are_stored_with_the_item_and_filter_the_list()
    {
        var (_, good) = TestCertificates.Issued(_ourIssuing, "CN=good.test", dns: ["good.test"]);
        var (_, wrongName) = TestCertificates.Issued(_ourIssuing, "CN=other.test", dns: ["other.test"]);
        var (_, soon) = TestCertificates.Issued(_ourIssuing, "CN=soon.test", dns: ["soon.test"], notAfter: TestCertificates.Now.AddDays(5));
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 1, "good.test", good.Der, _ourIssuing.RawData), "s");
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 2, "good.test", wrongName.Der, _ourIssuing.RawData), "s");
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 3, "soon.test", soon.Der), "s");

        var mismatched = await _inventory.ListAsync(new InventoryQuery(Finding: FindingCodes.HostnameMismatch), 50, null);
        Assert.Equal([wrongName.Fingerprint], mismatched.Items.Select(i => i.Fingerprint));
        var incomplete = await _inventory.ListAsync(new InventoryQuery(Finding: FindingCodes.ChainIncomplete), 50, null);
        Assert.Equal([soon.Fingerprint], incomplete.Items.Select(i => i.Fingerprint));
        var expiring = await _inventory.ListAsync(new InventoryQuery(ExpiringWithinDays: 7), 50, null);
        Assert.Equal([soon.Fingerprint], expiring.Items.Select(i => i.Fingerprint));
        var expiringFinding = Assert.Single((await _inventory.GetAsync(soon.Fingerprint)).Findings, f => f.Code == FindingCodes.Expiring);
        Assert.Equal("high", expiringFinding.Severity);
        var atPort2 = await _inventory.ListAsync(new InventoryQuery(Location: "127.0.0.1:2/good.test"), 50, null);
        Assert.Equal(new[] { wrongName.Fingerprint, Fingerprint(_ourIssuing) }.Order(), atPort2.Items.Select(i => i.Fingerprint).Order());
        var byIssuer = await _inventory.ListAsync(new InventoryQuery(Issuer: "issuing", Source: InventorySources.Endpoint), 50, null);
        Assert.Equal(3, byIssuer.Items.Count);
    }

    [Fact]
    public async Task A_certificate_an_endpoint_no_longer_presents_keeps_its_history_but_loses_its_findings_there()
    {
        var (_, wrong) = TestCertificates.Issued(_ourIssuing, "CN=other.test", dns: ["other.test"]);
        var (_, right) = TestCertificates.Issued(_ourIssuing, "CN=shop.test", dns: ["shop.test"]);
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 6, "shop.test", wrong.Der, _ourIssuing.RawData), "s1");
        Assert.Single((await _inventory.ListAsync(new InventoryQuery(Finding: FindingCodes.HostnameMismatch), 50, null)).Items);

        _time.Advance(TimeSpan.FromHours(1));
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 6, "shop.test", right.Der, _ourIssuing.RawData), "s2");

        Assert.Empty((await _inventory.ListAsync(new InventoryQuery(Finding: FindingCodes.HostnameMismatch), 50, null)).Items);
        var old = await _inventory.GetAsync(wrong.Fingerprint);
        Assert.Empty(old.Findings);
        var history = Assert.Single(old.Locations!);
        Assert.Equal(TestCertificates.Now, history.LastSeen);
        Assert.Empty(history.Findings);
        var atLocation = await _inventory.ListAsync(new InventoryQuery(Location: "127.0.0.1:6/shop.test"), 50, null);
        Assert.Equal(new[] { right.Fingerprint, Fingerprint(_ourIssuing) }.Order(), atLocation.Items.Select(i => i.Fingerprint).Order());
    }

    [Fact]
    public async Task One_finding_per_code_sums_up_the_locations_of_a_certificate_served_in_many_places()
    {
        var (_, leaf) = TestCertificates.Issued(_ourIssuing, "CN=wide.test", dns: ["wide.test"]);
        for (var port = 100; port < 105; port++)
        {
            await _recorder.RecordEndpointAsync(Scan("127.0.0.1", port, "elsewhere.test", leaf.Der), "s");
        }

        var item = await _inventory.GetAsync(leaf.Fingerprint);
        Assert.Equal(5, item.Locations!.Count);
        var mismatch = Assert.Single(item.Findings, f => f.Code == FindingCodes.HostnameMismatch);
        Assert.EndsWith("(and at 4 more locations)", mismatch.Message);
        Assert.Single(item.Findings, f => f.Code == FindingCodes.ChainIncomplete);
        Assert.All(item.Locations!, l => Assert.Equal(2, l.Findings.Count));
    }

    [Fact]
    public async Task Pages_follow_continuation_tokens_to_the_end_and_a_forged_token_is_refused()
    {
        for (var i = 0; i < 5; i++)
        {
            var (_, leaf) = TestCertificates.Issued(_ourIssuing, $"CN=n{i}.test", dns: [$"n{i}.test"]);
            await _recorder.RecordVaultAsync(new VaultCertificate(new Uri("https://v.vault.azure.net/"), $"c{i}", "v1", leaf.Der, true, null, null).ToSighting(), "s");
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _inventory.ListAsync(new InventoryQuery(Source: InventorySources.KeyVault), 2, token);
            seen.AddRange(page.Items.Select(i => i.Fingerprint));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(3, pages);
        Assert.Equal("invalid-continuation-token", (await Assert.ThrowsAsync<ProblemException>(() => _inventory.ListAsync(new InventoryQuery(), 2, "garbage"))).Type);

        // A token with our mark but made up: the table service starts from wherever it names, or it is refused; never a failure.
        foreach (var forged in new[] { Base64Url("inv1 x"), Base64Url("inv1 "), "!!" })
        {
            var refused = await Xunit.Record.ExceptionAsync(() => _inventory.ListAsync(new InventoryQuery(), 2, forged));
            Assert.True(refused is null or ProblemException { Type: "invalid-continuation-token" }, $"{forged}: {refused}");
        }
    }

    [Fact]
    public async Task Our_revoked_certificate_and_one_superseded_by_a_newer_issuance_carry_findings()
    {
        var (_, old) = TestCertificates.Issued(_ourIssuing, "CN=app.test", dns: ["app.test"]);
        var (_, renewed) = TestCertificates.Issued(_ourIssuing, "CN=app.test", dns: ["app.test"], notBefore: TestCertificates.Now);
        await _recorder.OnIssuedAsync(Record(renewed, CertificateStatus.Issued));

        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 4, "app.test", old.Der, _ourIssuing.RawData), "s");
        var served = await _inventory.GetAsync(old.Fingerprint);
        Assert.Contains(served.Findings, f => f.Code == FindingCodes.RenewedNotDeployed && f.Location == "127.0.0.1:4/app.test");

        var issued = await _inventory.GetAsync(renewed.Fingerprint);
        Assert.Equal(["issued"], issued.Sources);
        Assert.Equal(("owner@app.test", "issuance"), (issued.Owner, issued.OwnerSource));

        var revoked = Record(renewed, CertificateStatus.Revoked) with { RevokedAt = _time.GetUtcNow(), RevocationReason = RevocationReason.KeyCompromise };
        _certificates.Records[revoked.SerialNumber] = revoked;
        await _recorder.OnRevokedAsync(revoked);
        var after = await _inventory.GetAsync(renewed.Fingerprint);
        var finding = Assert.Single(after.Findings, f => f.Code == FindingCodes.Revoked);
        Assert.Equal("critical", finding.Severity);
        Assert.Contains("keyCompromise", finding.Message);
        Assert.Single((await _inventory.ListAsync(new InventoryQuery(Finding: FindingCodes.Revoked), 50, null)).Items);
    }

    [Fact]
    public async Task Renewed_not_deployed_names_the_newer_certificate_by_what_the_api_looks_it_up_by()
    {
        var (_, old) = TestCertificates.Issued(_ourIssuing, "CN=named.test", dns: ["named.test"]);
        var (_, renewed) = TestCertificates.Issued(_ourIssuing, "CN=named.test", dns: ["named.test"], notBefore: TestCertificates.Now);
        await _recorder.OnIssuedAsync(Record(renewed, CertificateStatus.Issued));

        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 7, "named.test", old.Der, _ourIssuing.RawData), "s");

        var finding = Assert.Single((await _inventory.GetAsync(old.Fingerprint)).Findings, f => f.Code == FindingCodes.RenewedNotDeployed);
        Assert.Contains($"serial {renewed.SerialNumber}", finding.Message, StringComparison.Ordinal);
        var named = System.Text.RegularExpressions.Regex.Match(finding.Message, "fingerprint ([0-9a-f]+)").Groups[1].Value;
        Assert.Equal(renewed.Fingerprint, named);
        Assert.Equal(renewed.SerialNumber, (await _inventory.GetAsync(named)).SerialNumber);
    }

    [Fact]
    public async Task A_revoked_certificate_is_revoked_at_each_location_that_presents_it_not_only_on_the_item()
    {
        var (_, leaf) = TestCertificates.Issued(_ourIssuing, "CN=deployed.test", dns: ["deployed.test"]);
        await _recorder.OnIssuedAsync(Record(leaf, CertificateStatus.Issued));
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 8, "deployed.test", leaf.Der, _ourIssuing.RawData), "s1");

        // Revoked while deployed: the location that presents it says so at once, not only at the next sweep.
        var revoked = Record(leaf, CertificateStatus.Revoked) with { RevokedAt = _time.GetUtcNow(), RevocationReason = RevocationReason.KeyCompromise };
        _certificates.Records[revoked.SerialNumber] = revoked;
        await _recorder.OnRevokedAsync(revoked);
        var item = await _inventory.GetAsync(leaf.Fingerprint);
        var atEndpoint = Assert.Single(Assert.Single(item.Locations!).Findings);
        Assert.Equal((FindingCodes.Revoked, "critical", "127.0.0.1:8/deployed.test"), (atEndpoint.Code, atEndpoint.Severity, atEndpoint.Location));
        Assert.Equal("127.0.0.1:8/deployed.test", Assert.Single(item.Findings, f => f.Code == FindingCodes.Revoked).Location);

        // Seen later at another endpoint and in a vault: revoked there too, and still one revoked finding on the item.
        await _recorder.RecordEndpointAsync(Scan("127.0.0.1", 9, "deployed.test", leaf.Der, _ourIssuing.RawData), "s2");
        await _recorder.RecordVaultAsync(new VaultCertificate(new Uri("https://v.vault.azure.net/"), "deployed", "1", leaf.Der, true, null, null).ToSighting(), "s2");
        item = await _inventory.GetAsync(leaf.Fingerprint);
        Assert.Equal(3, item.Locations!.Count);
        Assert.All(item.Locations!, l => Assert.Contains(l.Findings, f => f.Code == FindingCodes.Revoked && f.Location == l.Location));
        Assert.EndsWith("(and at 2 more locations)", Assert.Single(item.Findings, f => f.Code == FindingCodes.Revoked).Message);
    }

    [Fact]
    public async Task An_owner_set_by_hand_outlives_later_sightings_and_bad_input_changes_nothing()
    {
        var (_, leaf) = TestCertificates.Issued(_ourIssuing, "CN=api.payments.test", dns: ["api.payments.test"]);
        var scan = Scan("127.0.0.1", 5, "api.payments.test", leaf.Der, _ourIssuing.RawData);
        await _recorder.RecordEndpointAsync(scan, "s");

        await Assert.ThrowsAsync<ProblemException>(() => _inventory.SetOwnerAsync(leaf.Fingerprint, new OwnerInput(" ", "x")));
        Assert.Equal("rule", (await _inventory.GetAsync(leaf.Fingerprint)).OwnerSource);
        Assert.Equal(ProblemKind.NotFound, (await Assert.ThrowsAsync<ProblemException>(() => _inventory.SetOwnerAsync(new string('a', 64), new OwnerInput("a", null)))).Kind);
        Assert.Equal(ProblemKind.BadRequest, (await Assert.ThrowsAsync<ProblemException>(() => _inventory.GetAsync("xyz"))).Kind);

        Assert.Empty(_audit.Records);
        await _inventory.SetOwnerAsync(leaf.Fingerprint.ToUpperInvariant(), new OwnerInput("dana@example.test", "platform"));
        await _recorder.RecordEndpointAsync(scan, "s2");
        var audited = Assert.Single(_audit.Records);
        Assert.Equal((AuditActions.OwnerSet, leaf.Fingerprint, "owner=dana@example.test team=platform"), (audited.Action, audited.Fingerprint, audited.Detail));

        var item = await _inventory.GetAsync(leaf.Fingerprint);
        Assert.Equal(("dana@example.test", "platform", "api"), (item.Owner, item.Team, item.OwnerSource));
        Assert.Single((await _inventory.ListAsync(new InventoryQuery(Team: "platform"), 50, null)).Items);
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));

    private static EndpointSighting Scan(string host, int port, string? serverName, params byte[][] chain) =>
        new EndpointScanResult(new ScannedEndpoint(host, port, serverName), host, ScanOutcome.Tls, chain, "Tls13", null, TimeSpan.FromMilliseconds(5)).ToSighting();

    private static string Fingerprint(X509Certificate2 cert) => CertificateFacts.Read(cert.RawData).Fingerprint;

    private CertificateRecord Record(CertificateFacts facts, CertificateStatus status) => new(
        facts.SerialNumber, "issuing", status, "tls-server", "owner@app.test", facts.Subject, facts.NotBefore, facts.NotAfter, "req", _time.GetUtcNow(), facts.Der);

    private void AddAuthority(string id, CaRole role, X509Certificate2 cert) =>
        _authorities.TryAddAsync(new CertificateAuthority(id, role, cert.Subject, cert.RawData, null, cert.NotAfter, KeyUri.Parse($"pkcs11:token=t;object={id}"), "pkcs11", SignatureScheme.EcdsaSha256)).Wait();
}
