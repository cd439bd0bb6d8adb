using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Revocation;

namespace Pki.Core.Acme;

/// <summary>
/// revokeCert (RFC 8555 §7.6), signed by the account that ordered the certificate (<c>kid</c>) or by the certificate's
/// own key (<c>jwk</c>). The revocation itself is the pipeline's: CRL, OCSP, inventory, events, audit.
/// </summary>
public sealed class AcmeRevocationService(AcmeRequestVerifier verifier, IAcmeStore store, ICertificateStore certificates, RevocationService revocation, CallerContext callers)
{
    public async Task<AcmeResponse> RevokeAsync(AcmePost post, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Either, cancellationToken).ConfigureAwait(false);
        var payload = request.Jws.PayloadJson();
        var der = payload.TryGetProperty("certificate", out var c) && c.ValueKind == JsonValueKind.String
            ? Decode(c.GetString()!)
            : throw AcmeProblemException.Malformed("revokeCert needs 'certificate' (DER, base64url).");
        string serial;
        byte[] subjectPublicKeyInfo;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            serial = SerialNumbers.Normalize(certificate.SerialNumber);
            subjectPublicKeyInfo = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw AcmeProblemException.Malformed("'certificate' is not a DER X.509 certificate.");
        }

        var reason = payload.TryGetProperty("reason", out var r)
            ? r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var code) ? code : -1
            : 0;
        if (reason is < 0 or 2 or 6 or 7 or 8 or > 9)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadRevocationReason, $"Reason code {reason} is not accepted for an end-entity certificate; use 0, 1, 3, 4, 5 or 9.");
        }

        var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (record?.CertificateDer is null || !record.CertificateDer.AsSpan().SequenceEqual(der))
        {
            throw AcmeProblemException.NotFound("This server did not issue that certificate.");
        }

        Caller caller;
        if (request.Account is { } account)
        {
            var issued = await store.FindCertificateAsync(serial, cancellationToken).ConfigureAwait(false);
            if (issued?.AccountId != account.Value.Id)
            {
                throw AcmeProblemException.Unauthorized("The account did not order this certificate; revoke it with its own key or from the account that ordered it.");
            }

            caller = AcmeOrderService.CallerOf(account.Value);
        }
        else
        {
            if (!request.Key.SameKeyAs(subjectPublicKeyInfo))
            {
                throw AcmeProblemException.Unauthorized("The key in 'jwk' is not the certificate's key.");
            }

            caller = new Caller("acme-certificate-key:" + serial, record.Team, [Roles.Requester], "acme");
        }

        if (record.Status == CertificateStatus.Revoked)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.AlreadyRevoked, "The certificate is revoked already.");
        }

        using var scope = callers.Enter(caller);
        try
        {
            await revocation.RevokeAsync(serial, RevocationReasons.Name((RevocationReason)reason), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProblemException e)
        {
            throw AcmeProblemException.From(e);
        }

        return new AcmeResponse(200, null);
    }

    private static byte[] Decode(string text)
    {
        try
        {
            return Base64Url.Decode(text);
        }
        catch (FormatException)
        {
            throw AcmeProblemException.Malformed("'certificate' is not unpadded base64url.");
        }
    }
}
