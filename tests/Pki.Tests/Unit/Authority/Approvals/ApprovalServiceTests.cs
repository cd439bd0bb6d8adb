using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;
using Pki.Core.Revocation;
using Pki.Core.Signing.Software;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority.Approvals;

/// <summary>Failure handling of the approval transitions, with per-test fakes, a fake clock and counted signatures.</summary>
public sealed class ApprovalServiceTests : IDisposable
{
    private static readonly Caller Requester = new("payments-bot", "payments", [Roles.Requester], "api-key");
    private static readonly Caller Approver = new("alice-approver", "security", [Roles.Approver], "api-key");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly SoftwareKeyManager _keys = new();
    private readonly CountingKeyManager _counting;
    private readonly InMemoryCertificateStore _certificates = new();
    private readonly InMemoryApprovalStore _approvals = new();
    private readonly CallerContext _callers = new();
    private readonly CertificateService _direct;
    private readonly ApprovalService _service;

    public ApprovalServiceTests()
    {
        _counting = new CountingKeyManager(_keys);
        var options = Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" });
        var authorities = new InMemoryAuthorityStore();
        var factory = new CertificateFactory(new CaUrls(options));
        var (trail, _) = InMemoryAuditStore.Trail(_time);
        new CaBootstrapper(new CaKeys(_counting, new InMemoryKeyRecordStore(), options, _time, NullLogger<CaKeys>.Instance), authorities, factory, trail, _time, options, NullLogger<CaBootstrapper>.Instance).EnsureHierarchyAsync().GetAwaiter().GetResult();
        _counting.Signatures = 0;

        var directory = new AuthorityDirectory(authorities, _counting, options);
        var profiles = new ProfileCatalog(options);
        var ra = new RegistrationAuthority(profiles, [new OwnerRule(), new SubjectAltNameRule(), new NameRule(options), new LifetimeRule()], _callers);
        var journal = new InMemoryIssuanceJournal();
        var issuer = new CertificateIssuer(directory, factory, new RecordedIssuance(_certificates, journal, _time, NullLogger<RecordedIssuance>.Instance), _certificates, [], journal, trail, new CrlShardCount(options), _time, NullLogger<CertificateIssuer>.Instance);
        _direct = new CertificateService(ra, issuer, directory, _certificates, new InMemoryRequestStore(), trail, _time, _callers, NullLogger<CertificateService>.Instance);
        _service = new ApprovalService(ra, profiles, issuer, _direct, _certificates, _approvals, _callers, trail, options, _time, NullLogger<ApprovalService>.Instance);
    }

    private static CertificateRequestInput Input() => new(Convert.ToBase64String(Csrs.Ec("Payments Release Signing")), ProfileNames.CodeSigning, "release@payments.internal", null);

    private async Task<string> SubmitAsync()
    {
        using var _ = _callers.Enter(Requester);
        return (await _service.SubmitAsync(Input(), null)).Request.RequestId;
    }

    private async Task<T> AsApproverAsync<T>(Func<Task<T>> action)
    {
        using var _ = _callers.Enter(Approver);
        return await action();
    }

    [Fact]
    public async Task A_profile_that_requires_approval_is_never_issued_on_the_direct_path()
    {
        using var _ = _callers.Enter(Requester);
        var e = await Assert.ThrowsAsync<ProblemException>(() => _direct.RequestAsync(Input(), null));
        Assert.Equal("approval-required", e.Type);
        await Assert.ThrowsAsync<ProblemException>(() => _direct.RequestAsync(Input(), "key-1"));
        Assert.Equal(0, _counting.Signatures);
        Assert.Empty(_certificates.Records);
    }

    [Fact]
    public async Task A_signing_failure_at_approval_puts_the_request_back_to_pending_for_an_immediate_retry()
    {
        var id = await SubmitAsync();
        _counting.FailSigning = new IOException("HSM unavailable");
        await Assert.ThrowsAsync<IOException>(() => AsApproverAsync(() => _service.ApproveAsync(id)));
        Assert.Equal((ApprovalStatus.Pending, null, null), (_approvals.Records[id].Status, _approvals.Records[id].SerialNumber, _approvals.Records[id].DecidedBy));
        Assert.Equal(0, _counting.Signatures);

        _counting.FailSigning = null;
        var outcome = await AsApproverAsync(() => _service.ApproveAsync(id));
        Assert.False(outcome.Replayed);
        Assert.Equal(1, _counting.Signatures);
        Assert.Equal((ApprovalStatus.Issued, outcome.Certificate.SerialNumber), (_approvals.Records[id].Status, _approvals.Records[id].SerialNumber));
        Assert.Equal("payments", outcome.Certificate.Team);
    }

    [Fact]
    public async Task A_certificate_signed_while_its_approval_failed_is_recovered_by_the_next_approval_not_signed_again()
    {
        var id = await SubmitAsync();
        _certificates.FailMarkIssued = true;
        _certificates.WriteBeforeFailing = true;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => AsApproverAsync(() => _service.ApproveAsync(id)));
        _certificates.FailMarkIssued = false;
        Assert.Equal((ApprovalStatus.Approved, failure.SerialNumber), (_approvals.Records[id].Status, _approvals.Records[id].SerialNumber));

        var retry = await AsApproverAsync(() => _service.ApproveAsync(id));
        Assert.True(retry.Replayed);
        Assert.Equal(failure.SerialNumber, retry.Certificate.SerialNumber);
        Assert.Equal(ApprovalStatus.Issued, _approvals.Records[id].Status);
        Assert.Equal(1, _counting.Signatures);
    }

    [Fact]
    public async Task A_signature_whose_record_was_lost_blocks_the_request_instead_of_signing_twice()
    {
        var id = await SubmitAsync();
        _certificates.FailMarkIssued = true;
        await Assert.ThrowsAsync<CertificateNotRecordedException>(() => AsApproverAsync(() => _service.ApproveAsync(id)));
        _certificates.FailMarkIssued = false;

        _time.Advance(TimeSpan.FromHours(1));
        var e = await Assert.ThrowsAsync<ProblemException>(() => AsApproverAsync(() => _service.ApproveAsync(id)));
        Assert.Equal("request-in-progress", e.Type);
        Assert.Equal(1, _counting.Signatures);
    }

    [Fact]
    public async Task An_approval_whose_serial_the_repair_pass_abandoned_is_taken_over_by_the_next_approval()
    {
        var id = await SubmitAsync();
        _certificates.FailMarkIssued = true;
        var failure = await Assert.ThrowsAsync<CertificateNotRecordedException>(() => AsApproverAsync(() => _service.ApproveAsync(id)));
        _certificates.FailMarkIssued = false;

        // The repair pass gives the serial up (nothing was stored); before, the request answered 409 for ever after.
        await _certificates.AbandonIfIssuingAsync(failure.SerialNumber);
        var retry = await AsApproverAsync(() => _service.ApproveAsync(id));

        Assert.NotEqual(failure.SerialNumber, retry.Certificate.SerialNumber);
        Assert.Equal((ApprovalStatus.Issued, retry.Certificate.SerialNumber), (_approvals.Records[id].Status, _approvals.Records[id].SerialNumber));
        Assert.Equal(2, _counting.Signatures);
    }

    [Fact]
    public async Task A_request_expires_at_its_deadline_and_not_a_tick_before()
    {
        var id = await SubmitAsync();
        var deadline = _approvals.Records[id].ExpiresAt;
        Assert.Equal(_time.GetUtcNow().AddHours(ApprovalOptions.DefaultPendingHours), deadline);

        _time.Advance(deadline - _time.GetUtcNow() - TimeSpan.FromTicks(1));
        Assert.Equal("pending", (await AsApproverAsync(() => _service.GetAsync(id))).Status);
        Assert.Single((await AsApproverAsync(() => _service.ListPendingAsync(null, null, null))).Items);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Empty((await AsApproverAsync(() => _service.ListPendingAsync(null, null, null))).Items);
        Assert.Equal(ApprovalStatus.Expired, _approvals.Records[id].Status);
        Assert.Equal("request-expired", (await Assert.ThrowsAsync<ProblemException>(() => AsApproverAsync(() => _service.ApproveAsync(id)))).Type);
        Assert.Equal(0, _counting.Signatures);
    }

    public void Dispose() => _keys.Dispose();
}
