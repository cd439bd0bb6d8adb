using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>An issuance observer that records what it was told and can be made to fail, as a derived-row writer would.</summary>
public sealed class RecordingObserver : IIssuanceObserver
{
    public ConcurrentQueue<string> Seen { get; } = new();

    public bool Fail { get; set; }

    public Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new IOException("inventory table unavailable");
        }

        Seen.Enqueue(certificate.SerialNumber);
        return Task.CompletedTask;
    }
}
