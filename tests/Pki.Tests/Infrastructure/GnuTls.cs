using System.Diagnostics;

namespace Pki.Tests.Infrastructure;

/// <summary>GnuTLS's certtool: a second X.509 implementation, independent of OpenSSL and of us.</summary>
public static class GnuTls
{
    /// <summary>Verifies leaf + chain against the root for a host name and purpose; returns certtool's verdict.</summary>
    public static OpensslResult Verify(string rootPem, string chainPem, string leafPem, string? hostname, string purposeOid)
    {
        var bundle = Path.Combine(Path.GetDirectoryName(leafPem)!, "gnutls-bundle-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(bundle, File.ReadAllText(leafPem) + File.ReadAllText(chainPem));
        var psi = new ProcessStartInfo("certtool")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "--verify", "--load-ca-certificate", rootPem, "--infile", bundle, "--verify-purpose", purposeOid, "--verify-profile", "medium" },
        };
        if (hostname is not null)
        {
            psi.ArgumentList.Add("--verify-hostname");
            psi.ArgumentList.Add(hostname);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("certtool --verify did not finish in 60 s");
        }

        return new OpensslResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
}
