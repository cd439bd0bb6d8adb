using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Inventory;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host on a fake clock holding a small, known estate: four certificates issued over HTTP for two teams and
/// three owners, and three written straight into the inventory as discovery would have: an owner-less, expired,
/// weak-keyed leaf still deployed (with a comma and quotes in its subject), a vault certificate whose owner is a
/// spreadsheet formula, and an intermediate CA seen in a chain.
/// </summary>
public sealed class ReportsHostFixture : DevHostFixture
{
    /// <summary>Whole seconds, as certificates hold their times.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>Serial numbers of what was issued, by a short name.</summary>
    public Dictionary<string, string> Serials { get; } = [];

    public InventoryItem Legacy { get; private set; } = null!;

    public InventoryItem Vaulted { get; private set; } = null!;

    public InventoryItem Intermediate { get; private set; } = null!;

    public const string FormulaOwner = "=HYPERLINK(\"http://evil.test\",\"x\")";

    public override async Task InitializeAsync()
    {
        await StartHostAsync([], services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        using var ssl = new Openssl();
        var key = ssl.NewKey("k", "ec:P-256");
        foreach (var (name, host, team, owner, days) in new (string, string, string, string, int?)[]
        {
            ("pay-api", "api.payments.internal", "payments", "pat@corp.internal", null),
            ("pay-db", "db.payments.internal", "payments", "pat@corp.internal", 10),
            ("pay-ops", "ops.payments.internal", "payments", "quinn@corp.internal", null),
            ("web-shop", "shop.web.internal", "web", "wendy@corp.internal", null),
        })
        {
            var body = new JsonObject { ["csr"] = ssl.NewCsr(key, "/CN=" + host, "DNS:" + host), ["profile"] = "tls-server", ["owner"] = owner, ["team"] = team };
            if (days is { } d)
            {
                body["validityDays"] = d;
            }

            using var response = await Client.PostAsync("/api/certificates", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            Serials[name] = JsonDocument.Parse(text).RootElement.GetProperty("serialNumber").GetString()!;
        }

        var now = Time.GetUtcNow();
        Legacy = Discovered("c1", "CN=legacy.corp.internal, O=\"Old, Inc\"", now.AddDays(-400), now.AddDays(-30), "RSA", 1024, InventorySources.Endpoint, null, null) with
        {
            LastSeen = now.AddDays(-1),
            Findings = [new Finding(FindingCodes.WeakKey, FindingSeverity.High, "RSA key of 1024 bits; at least 2048 are required.")],
        };
        Vaulted = Discovered("c2", "CN=vault.web.internal", now.AddDays(-10), now.AddDays(100), "RSA", 2048, InventorySources.KeyVault, FormulaOwner, "web");
        Intermediate = Discovered("c3", "CN=Some Intermediate CA", now.AddDays(-100), now.AddDays(1000), "EC", 384, InventorySources.Endpoint, null, null) with { IsCa = true };
        var store = App.Services.GetRequiredService<IInventoryItemStore>();
        foreach (var item in new[] { Legacy, Vaulted, Intermediate })
        {
            Assert.True(await store.TryAddAsync(item));
        }
    }

    /// <summary>An item as a sweep records one we did not issue.</summary>
    public static InventoryItem Discovered(string serial, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, string keyAlgorithm, int keySize, InventorySources sources, string? owner, string? team) => new(
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(subject + serial))),
        subject, "CN=Someone Else's CA", serial, notBefore, notAfter, [], [], keyAlgorithm, keySize, "SHA256WITHRSA", false, sources, owner, team,
        owner is null ? OwnerSource.None : OwnerSource.Api, notBefore, notBefore, null, false, []);
}
