using System.Diagnostics;

namespace Pki.Tests.Infrastructure;

/// <summary>The openssl CLI: an X.509 implementation we did not write, used to judge what we produce.</summary>
public sealed class Openssl : IDisposable
{
    public Openssl()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pki-openssl-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public string Write(string name, string content)
    {
        var path = PathOf(name);
        File.WriteAllText(path, content);
        return path;
    }

    public string Write(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static OpensslResult Run(params string[] args) => RunWithInput(null, args);

    public static OpensslResult RunWithInput(string? input, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            try
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // openssl may exit before reading its input (s_client refusing a chain); its exit code tells.
            }
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("openssl " + string.Join(' ', args) + " did not finish in 60 s");
        }

        return new OpensslResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Asserts that openssl accepts leaf + chain under the root with -x509_strict (and the purpose, if named). Without
    /// <paramref name="at"/> openssl judges validity at the real clock, which fits only certificates issued on the real
    /// clock; certificates issued on a fake clock must be judged at that clock's time.
    /// </summary>
    public static OpensslResult AssertVerifies(string rootPem, string chainPem, string leafPem, string? purpose = null, DateTimeOffset? at = null)
    {
        var args = new List<string> { "verify", "-x509_strict" };
        if (at is { } time)
        {
            args.AddRange(["-attime", time.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (purpose is not null)
        {
            args.AddRange(["-purpose", purpose]);
        }

        args.AddRange(["-CAfile", rootPem, "-untrusted", chainPem, leafPem]);
        var verify = Run([.. args]);
        Assert.True(verify.ExitCode == 0, "openssl verify refused the chain: " + verify.Stderr + verify.Stdout);
        Assert.EndsWith(": OK", verify.Stdout.Trim());
        return verify;
    }

    /// <summary>Generates a key: "ec:P-256", "ec:P-384", "rsa:2048", "rsa:1024", ...</summary>
    public string NewKey(string name, string keySpec)
    {
        var path = PathOf(name);
        var (kind, param) = (keySpec.Split(':')[0], keySpec.Split(':')[1]);
        var result = kind == "ec"
            ? Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + param, "-out", path)
            : Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + param, "-out", path);
        result.EnsureSuccess();
        return path;
    }

    /// <summary>A PEM CSR for the key; sans like "DNS:a.internal,IP:127.0.0.1", or null for none.</summary>
    public string NewCsr(string keyPath, string subject, string? sans, params string[] extra)
    {
        var args = new List<string> { "req", "-new", "-key", keyPath, "-subj", subject, "-sha256" };
        if (sans is not null)
        {
            args.AddRange(["-addext", "subjectAltName=" + sans]);
        }

        args.AddRange(extra);
        var result = Run([.. args]);
        result.EnsureSuccess();
        return result.Stdout;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
