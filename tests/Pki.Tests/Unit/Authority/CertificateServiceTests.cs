using Pki.Core.Access;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Signing.Software;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority;

/// <summary>Idempotency and failure handling of the request flow, with per-test fakes and a fake clock.</summary>
public sealed class CertificateServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly SoftwareKeyManager _keys = new();
    private readonly CountingKeyManager _counting;
    private readonly InMemoryCertificateStore _certificates = new();
    private readonly InMemoryRequestStore _requests = new();
    private readonly InMemoryAuditStore _audit;
    private readonly CertificateService _service;
    private readonly InMemoryIssuanceJournal _journal = new();
    private readonly RecordingObserver _observer = new();
    private readonly IssuanceRepair _repair;
    private readonly CallerContext _callers = new();
    private readonly string _csr = Convert.ToBase64String(Csrs.Ec("svc.internal", ["svc.internal"]));

    public CertificateServiceTests()
    {
        _counting = new CountingKeyManager(_keys);
        (var trail, _audit) = InMemoryAuditStore.Trail(_time);
        var options = Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" });
        var authorities = new InMemoryAuthorityStore();
        var factory = new CertificateFactory(new CaUrls(options));
        new CaBootstrapper(new CaKeys(_counting, new InMemoryKeyRecordStore(), options, _time, NullLogger<CaKeys>.Instance), authorities, factory, trail, _time, options, NullLogger<CaBootstrapper>.Instance).EnsureHierarchyAsync().GetAwaiter().GetResult();
        _counting.Signatures = 0;

        var directory = new AuthorityDirectory(authorities, _counting, options);
        var ra = new RegistrationAuthority(new ProfileCatalog(options), [new OwnerRule(), new SubjectAltNameRule(), new NameRule(options), new LifetimeRule()], new CallerContext());
        var issuer = new CertificateIssuer(directory, factory, new RecordedIssuance(_certificates, _journal, _time, NullLogger<RecordedIssuance>.Instance), _certificates, [_observer], _journal, trail, new CrlShardCount(options), _time, NullLogger<CertificateIssuer>.Instance);
        _repair = new IssuanceRepair(_journal, _certificates, issuer, trail, options, _time, NullLogger<IssuanceRepair>.Instance);
        _service = new CertificateService(ra, issuer, directory, _certificates, _requests, trail, _time, _callers, NullLogger<CertificateService>.Instance);
    }

    /// <summary>The stored claim of a key the service itself (the test's caller) sent: keys are stored scoped to their caller.</summary>
    private IssuanceRequestRecord Claim(string key) => _requests.Keyed["system:system\n" + key];

    private CertificateRequestInput Input(string owner = "alice") => new(_csr, ProfileNames.TlsServer, owner, null);

    [Fact]
    public async Task A_serial_collision_draws_another_serial()
    {
        _certificates.CollisionsToReport = 2;
        var outcome = await _service.RequestAsync(Input(), null);
        Assert.Equal(3, _certificates.Reservations);
        Assert.Equal(1, _counting.Signatures);
        Assert.Equal(CertificateStatus.Issued, _certificates.Records[outcome.Certificate.SerialNumber].Status);
        var record = Assert.Single(_requests.Unkeyed);
        Assert.Equal((RequestStatus.Issued, outcome.Certificate.SerialNumber), (record.Status, record.SerialNumber));
    }

    [Fact]
    public async Task Failure_before_signing_releases_the_key_for_an_immediate_retry()
    {
        _certificates.FailReserve = new IOException("storage down");
        await Assert.ThrowsAsync<IOException>(() => _service.RequestAsync(Input(), "k1"));
        Assert.Empty(_requests.Keyed);
        Assert.Equal(0, _counting.Signatures);

        _certificates.FailReserve = null;
        var outcome = await _service.RequestAsync(Input(), "k1");
        Assert.False(outcome.Replayed);
        Assert.Equal(1, _counting.Signatures);
    }

    [Fact]
    public async Task A_signer_that_fails_gives_its_reserved_serial_up_as_never_issued_and_frees_the_key()
    {
        _counting.FailSigning = new IOException("HSM unavailable");
        await Assert.ThrowsAsync<IOException>(() => _service.RequestAsync(Input(), "k-sign"));

        // Nothing signed: the reservation is recorded as never issued, not left "issuing", and the key is free at once.
        var given = Assert.Single(_certificates.Records.Values);
        Assert.Equal(CertificateStatus.Abandoned, given.Status);
        Assert.False(_requests.Keyed.ContainsKey("system:system\nk-sign"));

        _counting.FailSigning = null;
        var outcome = await _service.RequestAsync(Input(), "k-sign");
        Assert.False(outcome.Replayed);
        Assert.NotEqual(given.SerialNumber, outcome.Certificate.SerialNumber);
        Assert.Equal(1, _counting.Signatures);
    }

    [Fact]
    public async Task A_write_that_landed_with_its_reply_lost_is_recovered_not_signed_again()
    {
        _certificates.FailMarkIssued = true;
        _certificates.WriteBeforeFailing = true;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => _service.RequestAsync(Input(), "k2"));
        _certificates.FailMarkIssued = false;

        var retry = await _service.RequestAsync(Input(), "k2");
        Assert.True(retry.Replayed);
        Assert.Equal(failure.SerialNumber, retry.Certificate.SerialNumber);
        Assert.Equal(1, _counting.Signatures);
        Assert.Equal(RequestStatus.Issued, Claim("k2").Status);
    }

    [Fact]
    public async Task A_signature_whose_record_was_lost_blocks_the_key_until_the_lease_passes_and_is_then_abandoned()
    {
        _certificates.FailMarkIssued = true;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => _service.RequestAsync(Input(), "k3"));
        _certificates.FailMarkIssued = false;
        Assert.Equal(failure.SerialNumber, Claim("k3").SerialNumber);

        var busy = await Assert.ThrowsAsync<ProblemException>(() => _service.RequestAsync(Input(), "k3"));
        Assert.Equal(ProblemKind.Conflict, busy.Kind);
        Assert.Equal(1, _counting.Signatures);

        _time.Advance(CertificateService.PendingLease + TimeSpan.FromSeconds(1));
        var retry = await _service.RequestAsync(Input(), "k3");
        Assert.False(retry.Replayed);
        Assert.NotEqual(failure.SerialNumber, retry.Certificate.SerialNumber);
        Assert.Equal(CertificateStatus.Abandoned, _certificates.Records[failure.SerialNumber].Status);
        Assert.Equal(2, _counting.Signatures);
        Assert.Single(_audit.Records, r => r.SerialNumber == failure.SerialNumber && r.Outcome == AuditOutcomes.Failed && r.Detail!.StartsWith("Abandoned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_frozen_after_reserving_past_its_lease_never_issues_a_second_certificate_for_its_key()
    {
        // A host stopped (SIGSTOP, a long Key Vault back-off) between reserving its serial and storing the certificate.
        var resume = new TaskCompletionSource();
        _certificates.StallNextMarkIssued = resume.Task;
        var frozen = _service.RequestAsync(Input(), "k9");
        await _certificates.MarkIssuedStalled.Task;

        _time.Advance(CertificateService.PendingLease + TimeSpan.FromSeconds(1));
        var retry = await _service.RequestAsync(Input(), "k9");
        Assert.False(retry.Replayed);

        resume.SetResult();
        var lost = await Assert.ThrowsAsync<ProblemException>(() => frozen);
        Assert.Equal("request-superseded", lost.Type);

        // Both signatures are in storage; one certificate is issued for the key, and a replay returns that one.
        Assert.Equal(2, _counting.Signatures);
        var issued = Assert.Single(_certificates.Records.Values, r => r.Status is CertificateStatus.Issued);
        Assert.Equal(retry.Certificate.SerialNumber, issued.SerialNumber);
        var late = Assert.Single(_certificates.Records.Values, r => r.Status is CertificateStatus.Abandoned);
        Assert.NotNull(late.CertificateDer);
        Assert.Equal(retry.Certificate.SerialNumber, (await _service.RequestAsync(Input(), "k9")).Certificate.SerialNumber);
        Assert.DoesNotContain(_audit.Records, r => r.SerialNumber == late.SerialNumber && r.Outcome == AuditOutcomes.Succeeded);
        Assert.Contains(_audit.Records, r => r.SerialNumber == late.SerialNumber && r.Detail!.Contains("never issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_stalled_past_its_lease_loses_its_claim_to_the_retry_and_signs_nothing()
    {
        var gate = new TaskCompletionSource();
        _certificates.StallNextReserve = gate.Task;
        var stalled = _service.RequestAsync(Input(), "k7");

        _time.Advance(CertificateService.PendingLease + TimeSpan.FromSeconds(1));
        var retry = await _service.RequestAsync(Input(), "k7");
        Assert.False(retry.Replayed);

        gate.SetResult();
        var lost = await Assert.ThrowsAsync<ProblemException>(() => stalled);
        Assert.Equal(ProblemKind.Conflict, lost.Kind);
        Assert.Equal("request-superseded", lost.Type);

        Assert.Equal(1, _counting.Signatures);
        Assert.Equal((RequestStatus.Issued, retry.Certificate.SerialNumber), (Claim("k7").Status, Claim("k7").SerialNumber));
        // The stalled request's reservation is recorded as never issued, not left "issuing".
        Assert.Single(_certificates.Records.Values, r => r.Status is CertificateStatus.Abandoned);
        var replay = await _service.RequestAsync(Input(), "k7");
        Assert.Equal(retry.Certificate.SerialNumber, replay.Certificate.SerialNumber);
    }

    [Fact]
    public async Task A_derived_row_that_failed_is_written_by_the_repair_pass_and_its_journal_entry_closed()
    {
        _observer.Fail = true;
        var outcome = await _service.RequestAsync(Input(), null);
        var serial = outcome.Certificate.SerialNumber;
        Assert.Empty(_observer.Seen);
        Assert.True(_journal.Open.ContainsKey(serial));

        _observer.Fail = false;
        Assert.Equal(0, (await _repair.RunAsync()).Finished); // too young: its request may still be finishing it
        _time.Advance(TimeSpan.FromSeconds(31));
        var repaired = await _repair.RunAsync();

        Assert.Equal((1, 0), (repaired.Finished, repaired.Abandoned));
        Assert.Equal([serial], _observer.Seen);
        Assert.Empty(_journal.Open);
        Assert.Single(_audit.Records, r => r.SerialNumber == serial && r.Outcome == AuditOutcomes.Succeeded);
    }

    [Fact]
    public async Task A_reservation_whose_host_died_is_abandoned_by_the_repair_pass_only_after_the_longest_signature_wait()
    {
        var never = new TaskCompletionSource();
        _certificates.StallNextMarkIssued = never.Task;
        var dead = _service.RequestAsync(Input(), null);
        await _certificates.MarkIssuedStalled.Task;
        var serial = Assert.Single(_journal.Open.Keys);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, (await _repair.RunAsync()).Abandoned);
        Assert.Equal(CertificateStatus.Issuing, _certificates.Records[serial].Status);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, (await _repair.RunAsync()).Abandoned);
        Assert.Equal(CertificateStatus.Abandoned, _certificates.Records[serial].Status);
        Assert.Empty(_journal.Open);
        Assert.Single(_audit.Records, r => r.SerialNumber == serial && r.Detail!.StartsWith("Abandoned", StringComparison.Ordinal));

        // The host was only frozen: its signature is kept, nothing is issued, and the trail does not contradict itself.
        never.SetResult();
        await Assert.ThrowsAsync<ProblemException>(() => dead);
        Assert.Equal(CertificateStatus.Abandoned, _certificates.Records[serial].Status);
        Assert.DoesNotContain(_audit.Records, r => r.SerialNumber == serial && r.Outcome == AuditOutcomes.Succeeded);
        Assert.Empty(_observer.Seen);
    }

    [Fact]
    public async Task One_key_from_two_callers_is_two_requests_and_the_services_own_keys_are_out_of_a_callers_reach()
    {
        var web = new Caller("web-bot", "web", [Roles.Admin], "api-key");
        var payments = new Caller("payments-bot", "payments", [Roles.Admin], "api-key");
        IssuanceOutcome first, second, service;
        using (_callers.Enter(web))
        {
            first = await _service.RequestAsync(Input("web"), "renewal-request:build-24436c");
        }

        // Another caller's body under the same key is neither 422 (which would say the key was used) nor a replay.
        using (_callers.Enter(payments))
        {
            second = await _service.RequestAsync(Input("payments"), "renewal-request:build-24436c");
        }

        service = await _service.RequestAsync(Input("pipeline"), "renewal-request:build-24436c");

        Assert.False(second.Replayed);
        Assert.False(service.Replayed);
        Assert.Equal(3, new[] { first, second, service }.Select(o => o.Certificate.SerialNumber).Distinct().Count());
        using (_callers.Enter(web))
        {
            Assert.Equal(first.Certificate.SerialNumber, (await _service.RequestAsync(Input("web"), "renewal-request:build-24436c")).Certificate.SerialNumber);
        }
    }

    [Fact]
    public async Task A_journal_entry_whose_reservation_has_not_landed_is_kept_until_the_longest_wait_is_over()
    {
        // Opened, and the reservation not (yet) stored: a storage retry or a frozen host may still write it.
        await _journal.OpenAsync(new IssuanceJournalEntry("0a1b2c", _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromMinutes(5));
        await _repair.RunAsync();
        Assert.True(_journal.Open.ContainsKey("0a1b2c"));

        _time.Advance(TimeSpan.FromMinutes(6));
        await _repair.RunAsync();
        Assert.Empty(_journal.Open);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_yield_one_certificate()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (await _service.RequestAsync(Input(), "k4")).Certificate.SerialNumber;
            }
            catch (ProblemException e) when (e.Kind == ProblemKind.Conflict)
            {
                return null;
            }
        })));

        Assert.Single(results.Where(r => r is not null).Distinct());
        Assert.Equal(1, _counting.Signatures);
        Assert.Single(_certificates.Records);
    }

    [Fact]
    public async Task Same_key_with_another_body_is_refused_and_a_refused_request_claims_nothing()
    {
        await _service.RequestAsync(Input(), "k5");
        var reused = await Assert.ThrowsAsync<ProblemException>(() => _service.RequestAsync(Input(owner: "bob"), "k5"));
        Assert.Equal("idempotency-key-reused", reused.Type);

        var refused = await Assert.ThrowsAsync<ProblemException>(() => _service.RequestAsync(new CertificateRequestInput(_csr, "nope", "a", null), "k6"));
        Assert.Equal("unknown-profile", refused.Type);
        Assert.False(_requests.Keyed.ContainsKey("k6"));
        Assert.Single(_certificates.Records);
    }

    [Fact]
    public async Task Issued_and_refused_requests_are_audited_with_the_serial_and_the_problem_type()
    {
        var issued = await _service.RequestAsync(Input(), null);
        await Assert.ThrowsAsync<ProblemException>(() => _service.RequestAsync(new CertificateRequestInput(_csr, "nope", "a", null), null));

        var issue = Assert.Single(_audit.Records, r => r.Action == AuditActions.Issue);
        Assert.Equal((AuditOutcomes.Succeeded, issued.Certificate.SerialNumber), (issue.Outcome, issue.SerialNumber));
        Assert.Equal(_certificates.Records[issued.Certificate.SerialNumber].RequestId, issue.RequestId);
        var refused = Assert.Single(_audit.Records, r => r.Action == AuditActions.Request);
        Assert.Equal((AuditOutcomes.Refused, "unknown-profile"), (refused.Outcome, refused.ProblemType));
        Assert.Equal(2, _audit.Records.Count(r => r.Action == AuditActions.KeyCreate));
    }

    [Fact]
    public async Task A_certificate_the_trail_did_not_take_is_appended_once_by_the_keyed_retry()
    {
        _audit.FailuresToReport = 1;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => _service.RequestAsync(Input(), "k8"));
        Assert.DoesNotContain(_audit.Records, r => r.Action == AuditActions.Issue);

        var retry = await _service.RequestAsync(Input(), "k8");
        await _service.RequestAsync(Input(), "k8");

        Assert.Equal(failure.SerialNumber, retry.Certificate.SerialNumber);
        Assert.Equal(1, _counting.Signatures);
        Assert.Equal(failure.SerialNumber, Assert.Single(_audit.Records, r => r.Action == AuditActions.Issue).SerialNumber);
    }

    [Fact]
    public async Task A_signature_that_could_not_be_stored_is_audited_as_failed()
    {
        _certificates.FailMarkIssued = true;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => _service.RequestAsync(Input(), "k9"));

        var failed = Assert.Single(_audit.Records, r => r.Action == AuditActions.Issue);
        Assert.Equal((AuditOutcomes.Failed, failure.SerialNumber), (failed.Outcome, failed.SerialNumber));
    }

    public void Dispose() => _keys.Dispose();
}
