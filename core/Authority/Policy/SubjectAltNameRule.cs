using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>The kinds and number of names a certificate may carry, and whether the profile needs any.</summary>
public sealed class SubjectAltNameRule : IIssuancePolicyRule
{
    public const int MaxNames = 100;

    public void Check(IssuanceRequest request)
    {
        var csr = request.Csr;
        if (csr.UnsupportedNames.Count > 0)
        {
            throw ProblemException.Unprocessable("unsupported-name-type", $"The CSR asks for {string.Join(", ", csr.UnsupportedNames.Distinct())}; only DNS names and IP addresses are issued.");
        }

        var count = csr.DnsNames.Count + csr.IpAddresses.Count;
        if (!request.Profile.NamesHosts)
        {
            CheckSignerName(request.Profile, csr, count);
            return;
        }

        if (count > MaxNames)
        {
            throw ProblemException.Unprocessable("too-many-names", $"The CSR asks for {count} names; at most {MaxNames} are issued in one certificate.");
        }

        if (request.Profile.RequiresSubjectAltName && count == 0)
        {
            throw ProblemException.Unprocessable("missing-san", $"Profile '{request.Profile.Name}' needs at least one DNS name or IP address in the CSR's subjectAltName extension.");
        }

        if (count == 0 && string.IsNullOrWhiteSpace(csr.CommonName))
        {
            throw ProblemException.Unprocessable("missing-name", "The CSR names no subject: give a commonName or a subjectAltName.");
        }

        // RFC 5280 caps commonName at 64 characters; without a SAN to carry it the certificate would name nobody.
        if (count == 0 && csr.CommonName!.Length > CertificateIssuer.MaxCommonNameLength)
        {
            throw ProblemException.Unprocessable("common-name-too-long", $"The CSR's commonName has {csr.CommonName.Length} characters (at most {CertificateIssuer.MaxCommonNameLength}); put the name in a subjectAltName instead.");
        }
    }

    /// <summary>A code signer is named by its commonName (what signature verifiers show); host names have no place in it.</summary>
    private static void CheckSignerName(CertificateProfile profile, ParsedCsr csr, int count)
    {
        if (count > 0)
        {
            throw ProblemException.Unprocessable("san-not-allowed", $"Profile '{profile.Name}' names a signer, not hosts: leave DNS names and IP addresses out of the CSR.");
        }

        var cn = csr.CommonName;
        if (string.IsNullOrWhiteSpace(cn) || cn.Length > CertificateIssuer.MaxCommonNameLength || cn.Any(char.IsControl))
        {
            throw ProblemException.Unprocessable("missing-name", $"Profile '{profile.Name}' needs a commonName naming the signer (1 to {CertificateIssuer.MaxCommonNameLength} printable characters) in the CSR's subject.");
        }
    }
}
