using System.Security.Cryptography;
using System.Text.Json;
using Pki.Core.Events;
using Pki.Core.Inventory;

namespace Pki.Tests.Unit.Events;

public sealed class CloudEventTests
{
    private static readonly CertificateRecordFixture Web = new("web.corp.internal", "0a1b2c3d4e5f60718293");

    [Fact]
    public void Issued_event_is_cloudevents_1_0_structured_json_with_every_required_attribute()
    {
        var events = EventCertificates.Events(new OwnerRuleOptions { Pattern = "*.corp.internal", Team = "platform" });
        var json = JsonDocument.Parse(events.Issued(Web.Record).ToJson()).RootElement;

        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal(32, json.GetProperty("id").GetString()!.Length);
        Assert.Equal($"{EventCertificates.BaseUrl}/api/ca/{EventCertificates.CaId}", json.GetProperty("source").GetString());
        Assert.Equal("com.serverless-pki.certificate.issued", json.GetProperty("type").GetString());
        Assert.Equal(Web.Record.SerialNumber, json.GetProperty("subject").GetString());
        Assert.Equal(EventCertificates.IssuedAt, json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());

        var data = json.GetProperty("data");
        Assert.Equal(Web.Record.SerialNumber, data.GetProperty("serialNumber").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Web.Record.CertificateDer!)), data.GetProperty("fingerprint").GetString());
        Assert.Equal("CN=web.corp.internal", data.GetProperty("subject").GetString());
        Assert.Equal(["web.corp.internal"], data.GetProperty("dnsNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(Web.Record.NotAfter, data.GetProperty("notAfter").GetDateTimeOffset());
        Assert.Equal("alice@corp.internal", data.GetProperty("owner").GetString());
        Assert.Equal("platform", data.GetProperty("team").GetString());
        Assert.Equal(EventCertificates.CaId, data.GetProperty("caId").GetString());
        Assert.Equal("tls-server", data.GetProperty("profile").GetString());
        Assert.False(data.TryGetProperty("reason", out _), "fields that do not apply are left out");
    }

    [Fact]
    public void Issued_renewed_and_revoked_events_carry_the_team_the_certificate_was_issued_for()
    {
        // An owner rule would say platform; the record's own team wins, as in the inventory.
        var events = EventCertificates.Events(new OwnerRuleOptions { Pattern = "*.corp.internal", Team = "platform" });
        var record = Web.Record with { Team = "payments" };

        Assert.Equal("payments", events.Issued(record).Data.Team);
        Assert.Equal("payments", events.Renewed(record, "0a0b").Data.Team);
        Assert.Equal("payments", events.Revoked(EventCertificates.Revoked(record, EventCertificates.IssuedAt.AddDays(1))).Data.Team);
        Assert.Equal("payments", JsonDocument.Parse(events.Renewed(record, "0a0b").ToJson()).RootElement.GetProperty("data").GetProperty("team").GetString());

        // A record from before teams keeps what the owner rules say.
        Assert.Equal("platform", events.Issued(Web.Record with { Team = null }).Data.Team);
    }

    [Fact]
    public void Revoked_event_names_the_reason_and_is_timed_at_the_revocation()
    {
        var revokedAt = EventCertificates.IssuedAt.AddDays(2);
        var json = JsonDocument.Parse(EventCertificates.Events().Revoked(EventCertificates.Revoked(Web.Record, revokedAt)).ToJson()).RootElement;

        Assert.Equal("com.serverless-pki.certificate.revoked", json.GetProperty("type").GetString());
        Assert.Equal(revokedAt, json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("keyCompromise", json.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public void A_revocation_in_the_second_of_issuance_is_still_timed_after_the_issuance()
    {
        var issued = Web.Record with { IssuedAt = EventCertificates.IssuedAt.AddMilliseconds(700) };
        var events = EventCertificates.Events();

        var revoked = events.Revoked(EventCertificates.Revoked(issued, EventCertificates.IssuedAt));

        Assert.True(revoked.Time > events.Issued(issued).Time);
    }

    [Fact]
    public void Revoked_event_of_an_unrevoked_certificate_is_refused_naming_the_parameter()
    {
        var e = Assert.Throws<ArgumentException>(() => EventCertificates.Events().Revoked(Web.Record));
        Assert.Equal("certificate", e.ParamName);
        Assert.Contains("not revoked", e.Message);
    }

    [Fact]
    public void Event_ids_are_the_same_whenever_the_same_event_is_built_and_differ_between_events()
    {
        var events = EventCertificates.Events();
        var other = new CertificateRecordFixture("api.corp.internal", "0a1b2c3d4e5f60718294");
        var revoked = EventCertificates.Revoked(Web.Record, EventCertificates.IssuedAt.AddDays(1));

        Assert.Equal(events.Issued(Web.Record).Id, EventCertificates.Events().Issued(Web.Record).Id);
        Assert.Equal(events.Revoked(revoked).Id, events.Revoked(revoked with { RevokedAt = revoked.RevokedAt!.Value.AddMinutes(1) }).Id);

        var ids = new[]
        {
            events.Issued(Web.Record).Id,
            events.Issued(other.Record).Id,
            events.Revoked(revoked).Id,
            events.Renewed(other.Record, Web.Record.SerialNumber).Id,
            events.Expiring(Web.Record, 30, Web.Record.NotAfter.AddDays(-30)).Id,
            events.Expiring(Web.Record, 14, Web.Record.NotAfter.AddDays(-14)).Id,
            events.Expired(Web.Record).Id,
        };
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Every_type_is_named_under_one_reverse_dns_prefix()
    {
        var events = EventCertificates.Events();
        var facts = CertificateFacts.Read(Web.Record.CertificateDer!);
        var built = new[]
        {
            events.Issued(Web.Record),
            events.Renewed(Web.Record, "01"),
            events.Revoked(EventCertificates.Revoked(Web.Record, EventCertificates.IssuedAt)),
            events.Expiring(Web.Record, 7, Web.Record.NotAfter.AddDays(-7)),
            events.Expired(Web.Record),
            events.Discovered(facts, "web.corp.internal:443", EventCertificates.IssuedAt, owner: null, caId: null),
        };

        Assert.Equal(LifecycleEventTypes.All, built.Select(e => e.Type));
        Assert.All(LifecycleEventTypes.All, t => Assert.StartsWith("com.serverless-pki.certificate.", t));
    }

    [Fact]
    public void Discovered_event_is_about_the_fingerprint_and_comes_from_discovery()
    {
        var facts = CertificateFacts.Read(Web.Record.CertificateDer!);
        var e = EventCertificates.Events().Discovered(facts, "web.corp.internal:443", EventCertificates.IssuedAt, owner: null, caId: null);

        Assert.Equal(facts.Fingerprint, e.Subject);
        Assert.Equal(EventCertificates.BaseUrl + "/api/discovery", e.Source);
        Assert.Equal("web.corp.internal:443", e.Data.Location);
        Assert.Null(e.Data.SerialNumber);
    }

    [Fact]
    public void An_event_reads_back_from_its_json_unchanged()
    {
        var original = EventCertificates.Events().Issued(Web.Record);
        var read = CloudEvent.Parse(original.ToJson());

        Assert.Equal(original.ToJson(), read.ToJson());
        Assert.Equal(original.Id, read.Id);
    }

    [Fact]
    public void Json_without_an_id_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => CloudEvent.Parse("""{"specversion":"1.0","source":"/x","type":"t","data":{}}"""));
        Assert.Contains("id", e.Message);
    }

    [Fact]
    public void Json_that_is_not_a_cloudevents_1_0_event_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => CloudEvent.Parse("""{"specversion":"0.3","id":"x"}"""));
        Assert.Contains("specversion", e.Message);
    }

    private sealed record CertificateRecordFixture(string DnsName, string Serial)
    {
        public Pki.Core.Authority.CertificateRecord Record { get; } = EventCertificates.Issued(DnsName, Serial);
    }
}
