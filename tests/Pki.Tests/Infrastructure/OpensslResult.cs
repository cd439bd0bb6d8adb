namespace Pki.Tests.Infrastructure;

public sealed record OpensslResult(int ExitCode, string Stdout, string Stderr)
{
    public OpensslResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl exited {ExitCode}: {Stderr}{Stdout}");
        }

        return this;
    }
}
