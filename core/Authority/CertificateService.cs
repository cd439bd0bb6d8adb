using System.Security.Cryptography;
using System.Text;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>What the HTTP functions call: request (with idempotency), read, and list CAs.</summary>
public sealed class CertificateService(
    RegistrationAuthority registration,
    CertificateIssuer issuer,
    AuthorityDirectory authorities,
    ICertificateStore certificates,
    IRequestStore requests,
    TimeProvider time)
{
    public const int MaxIdempotencyKeyLength = 255;

    public async Task<IssuanceOutcome> RequestAsync(CertificateRequestInput input, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var requestId = Guid.NewGuid().ToString("N");
        if (idempotencyKey is null)
        {
            var approved = registration.Approve(input);
            var record = await issuer.IssueAsync(approved, requestId, cancellationToken).ConfigureAwait(false);
            return new IssuanceOutcome(await ViewAsync(record, cancellationToken).ConfigureAwait(false), Replayed: false);
        }

        ValidateIdempotencyKey(idempotencyKey);
        var bodyHash = Hash(input);
        var replay = await ReplayAsync(idempotencyKey, bodyHash, cancellationToken).ConfigureAwait(false);
        if (replay is not null)
        {
            return replay;
        }

        // Policy first: a refused request must not claim the key or store anything.
        var request = registration.Approve(input);
        if (!await requests.TryStartAsync(new IssuanceRequestRecord(idempotencyKey, bodyHash, requestId, time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
        {
            return await ReplayAsync(idempotencyKey, bodyHash, cancellationToken).ConfigureAwait(false)
                ?? throw InProgress();
        }

        CertificateRecord issued;
        try
        {
            issued = await issuer.IssueAsync(request, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await requests.AbandonAsync(idempotencyKey, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await requests.CompleteAsync(idempotencyKey, issued.SerialNumber, cancellationToken).ConfigureAwait(false);
        return new IssuanceOutcome(await ViewAsync(issued, cancellationToken).ConfigureAwait(false), Replayed: false);
    }

    public async Task<CertificateView> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var serial = SerialNumbers.Normalize(serialNumber);
        var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (record is not { Status: CertificateStatus.Issued, CertificateDer: not null })
        {
            throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
        }

        return await ViewAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IssuanceOutcome?> ReplayAsync(string key, string bodyHash, CancellationToken cancellationToken)
    {
        var existing = await requests.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        if (existing.BodyHash != bodyHash)
        {
            throw ProblemException.Unprocessable("idempotency-key-reused", "This Idempotency-Key was used for a different request body; use a new key for a new request.");
        }

        if (existing.SerialNumber is null)
        {
            throw InProgress();
        }

        return new IssuanceOutcome(await GetAsync(existing.SerialNumber, cancellationToken).ConfigureAwait(false), Replayed: true);
    }

    private async Task<CertificateView> ViewAsync(CertificateRecord record, CancellationToken cancellationToken)
    {
        var ca = await authorities.GetAsync(record.IssuerId, cancellationToken).ConfigureAwait(false);
        return new CertificateView(
            record.SerialNumber,
            Pem.Certificate(record.CertificateDer!),
            Pem.Certificate(ca.CertificateDer),
            record.NotBefore,
            record.NotAfter,
            record.Profile,
            record.Owner,
            record.Status.ToString().ToLowerInvariant(),
            record.IssuerId);
    }

    private static ProblemException InProgress() =>
        ProblemException.Conflict("request-in-progress", "A request with this Idempotency-Key is still being processed; retry in a moment.");

    private static void ValidateIdempotencyKey(string key)
    {
        if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c < 0x21 || c > 0x7E))
        {
            throw ProblemException.BadRequest("invalid-idempotency-key", $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters.");
        }
    }

    private static string Hash(CertificateRequestInput input)
    {
        var canonical = string.Join('\n', input.Csr?.Trim(), input.Profile, input.Owner?.Trim(), input.ValidityDays?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
