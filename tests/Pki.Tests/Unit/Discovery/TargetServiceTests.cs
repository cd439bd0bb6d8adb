using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Discovery;
using Pki.Core.Discovery.Targets;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Discovery;

public sealed class TargetServiceTests
{
    private readonly InMemoryTargetStore _store = new();
    private readonly InMemoryAuditStore _audit = new();
    private readonly TargetService _service;

    public TargetServiceTests()
    {
        _service = Service(["127.0.0.0/8", "::1/128", "10.20.0.0/16"]);
    }

    private TargetService Service(List<string> allowedNetworks, int maxEndpoints = 65536)
    {
        var options = Options.Create(new PkiOptions
        {
            Discovery = { AllowedNetworks = allowedNetworks, MaxAddressesPerRange = 64, MaxPortsPerTarget = 3, MaxHostsPerList = 2, MaxTargets = 5, MaxEndpointsPerSweep = maxEndpoints },
        });
        var time = new FakeTimeProvider();
        return new TargetService(_store, new NetworkPolicy(options), new AuditTrail(_audit, new CallerContext(), time, NullLogger<AuditTrail>.Instance), options, time, NullLogger<TargetService>.Instance);
    }

    [Fact]
    public async Task An_endpoint_a_host_list_a_range_and_a_vault_in_allowed_places_are_kept()
    {
        await _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 8443, "good.test", null, null, null, null, "one"));
        await _service.AddAsync(new TargetInput("hosts", null, null, null, ["localhost"], null, [443, 8443], null, null));
        var range = await _service.AddAsync(new TargetInput("cidr", null, null, null, null, "10.20.1.0/27", [443], null, null));
        var vault = await _service.AddAsync(new TargetInput("keyvault", null, null, null, null, null, null, "https://Team-Vault.vault.azure.net/", null));

        Assert.Equal(4, (await _service.ListAsync()).Count);
        Assert.Equal(30, range.Endpoints);
        Assert.Equal("https://team-vault.vault.azure.net/", vault.VaultUri);
    }

    [Theory]
    [InlineData("endpoint", "8.8.8.8", null, "network-not-allowed")]
    [InlineData("cidr", null, "10.0.0.0/8", "range-too-large")]
    [InlineData("cidr", null, "10.20.255.192/26", null)]
    [InlineData("cidr", null, "10.19.255.240/28", "network-not-allowed")]
    [InlineData("cidr", null, "10.20.0.1/24", "invalid-target")]
    [InlineData("endpoint", "not a host", null, "invalid-target")]
    [InlineData("endpoint", "*.example.com", null, "invalid-target")]
    [InlineData("nonsense", null, null, "invalid-target")]
    public async Task Targets_outside_the_allowed_networks_or_malformed_are_refused_and_not_stored(string kind, string? host, string? cidr, string? problem)
    {
        var input = new TargetInput(kind, host, host is null ? null : 443, null, null, cidr, cidr is null ? null : [443], null, null);
        if (problem is null)
        {
            await _service.AddAsync(input);
            Assert.Single(await _service.ListAsync());
            return;
        }

        var refused = await Assert.ThrowsAsync<ProblemException>(() => _service.AddAsync(input));
        Assert.Equal(problem, refused.Type);
        Assert.Empty(await _service.ListAsync());
    }

    [Fact]
    public async Task A_host_name_that_resolves_outside_the_allowed_networks_is_refused_as_SSRF()
    {
        // localhost resolves to loopback, which this service may not scan: the name is no way around the address rule.
        var refused = await Assert.ThrowsAsync<ProblemException>(() =>
            Service(["10.20.0.0/16"]).AddAsync(new TargetInput("endpoint", "localhost", 443, null, null, null, null, null, null)));
        Assert.Equal("network-not-allowed", refused.Type);
        Assert.Contains("'localhost' resolves to", refused.Detail);
        Assert.Empty(await _service.ListAsync());
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_refused()
    {
        var refused = await Assert.ThrowsAsync<ProblemException>(() => _service.AddAsync(new TargetInput("hosts", null, null, null, ["localhost", "no-such-host.invalid"], null, [443], null, null)));
        Assert.Equal("unresolvable-host", refused.Type);
        Assert.Empty(await _service.ListAsync());
    }

    [Fact]
    public async Task All_targets_together_stay_within_what_one_sweep_may_scan()
    {
        var service = Service(["127.0.0.0/8", "10.20.0.0/16"], maxEndpoints: 100);
        await service.AddAsync(new TargetInput("cidr", null, null, null, null, "10.20.1.0/26", [443], null, null));
        var refused = await Assert.ThrowsAsync<ProblemException>(() => service.AddAsync(new TargetInput("cidr", null, null, null, null, "10.20.2.0/26", [443], null, null)));
        Assert.Equal("too-many-endpoints", refused.Type);
        Assert.Contains("124", refused.Detail);
        Assert.Single(await service.ListAsync());
    }

    [Theory]
    [InlineData("http://v.vault.azure.net/", "invalid-target")]
    [InlineData("https://v.vault.azure.net/secrets?x=1", "invalid-target")]
    [InlineData("https://metadata.internal/", "vault-not-allowed")]
    [InlineData("https://v.vault.azure.net.evil.test/", "vault-not-allowed")]
    public async Task Vault_URIs_must_be_https_vault_hosts(string uri, string problem)
    {
        var refused = await Assert.ThrowsAsync<ProblemException>(() => _service.AddAsync(new TargetInput("keyvault", null, null, null, null, null, null, uri, null)));
        Assert.Equal(problem, refused.Type);
    }

    [Fact]
    public async Task Limits_on_ports_hosts_and_targets_hold()
    {
        Assert.Equal("invalid-target", (await Assert.ThrowsAsync<ProblemException>(() =>
            _service.AddAsync(new TargetInput("hosts", null, null, null, ["localhost"], null, [1, 2, 3, 4], null, null)))).Type);
        Assert.Equal("invalid-target", (await Assert.ThrowsAsync<ProblemException>(() =>
            _service.AddAsync(new TargetInput("hosts", null, null, null, ["a.test", "b.test", "c.test"], null, [443], null, null)))).Type);
        for (var i = 0; i < 5; i++)
        {
            await _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 1000 + i, null, null, null, null, null, null));
        }

        Assert.Equal("too-many-targets", (await Assert.ThrowsAsync<ProblemException>(() =>
            _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 2000, null, null, null, null, null, null)))).Type);
    }

    [Fact]
    public async Task Adding_and_removing_a_target_are_audited_and_a_target_the_trail_refused_is_taken_back()
    {
        var added = await _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 8443, null, null, null, null, null, "web"));
        await _service.DeleteAsync(added.Id);
        Assert.Equal([(AuditActions.TargetAdd, added.Id), (AuditActions.TargetRemove, added.Id)], _audit.Records.Select(r => (r.Action, r.TargetId)));

        _audit.FailuresToReport = 1;
        await Assert.ThrowsAsync<IOException>(() => _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 8444, null, null, null, null, null, null)));
        Assert.Empty(await _service.ListAsync());
        Assert.Equal(2, _audit.Records.Count);

        var kept = await _service.AddAsync(new TargetInput("endpoint", "127.0.0.1", 8445, null, null, null, null, null, null));
        _audit.FailuresToReport = 1;
        await Assert.ThrowsAsync<IOException>(() => _service.DeleteAsync(kept.Id));
        Assert.Single(await _service.ListAsync());
    }

    public static TheoryData<TargetInput, string> TargetsAndTheirAddresses => new()
    {
        { new TargetInput("endpoint", "127.0.0.1", 8443, "web.test", null, null, null, null, "web"), "target=127.0.0.1:8443 serverName=web.test" },
        { new TargetInput("endpoint", "::1", 443, null, null, null, null, null, null), "target=[::1]:443" },
        { new TargetInput("hosts", null, null, null, ["localhost", "127.0.0.2"], null, [8443, 443], null, null), "target=localhost,127.0.0.2 ports=443,8443" },
        { new TargetInput("cidr", null, null, null, null, "10.20.1.0/27", [443], null, null), "target=10.20.1.0/27 ports=443" },
        { new TargetInput("keyvault", null, null, null, null, null, null, "https://Team-Vault.vault.azure.net/", null), "target=https://team-vault.vault.azure.net/" },
    };

    [Theory]
    [MemberData(nameof(TargetsAndTheirAddresses))]
    public async Task Adding_and_removing_a_target_records_where_it_points(TargetInput input, string address)
    {
        var added = await _service.AddAsync(input);
        await _service.DeleteAsync(added.Id);

        Assert.Equal([AuditActions.TargetAdd, AuditActions.TargetRemove], _audit.Records.Select(r => r.Action));
        Assert.All(_audit.Records, r =>
        {
            Assert.Equal(added.Id, r.TargetId);
            Assert.Contains(address, r.Detail);
        });
    }

    [Fact]
    public async Task Deleting_an_unknown_target_is_not_found()
    {
        Assert.Equal(ProblemKind.NotFound, (await Assert.ThrowsAsync<ProblemException>(() => _service.DeleteAsync("0123456789abcdef0123456789abcdef"))).Kind);
        Assert.Equal(ProblemKind.NotFound, (await Assert.ThrowsAsync<ProblemException>(() => _service.DeleteAsync("../etc"))).Kind);
    }

    private sealed class InMemoryTargetStore : ITargetStore
    {
        private readonly List<DiscoveryTarget> _targets = [];

        public Task AddAsync(DiscoveryTarget target, CancellationToken cancellationToken = default)
        {
            _targets.Add(target);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<DiscoveryTarget>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<DiscoveryTarget>>(_targets.ToArray());

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(_targets.RemoveAll(t => t.Id == id) > 0);
    }
}
