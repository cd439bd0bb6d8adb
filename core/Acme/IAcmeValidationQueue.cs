namespace Pki.Core.Acme;

/// <summary>Hands challenge validations to the queue-triggered validator, optionally after a delay (the retry backoff).</summary>
public interface IAcmeValidationQueue
{
    Task SendAsync(AcmeValidationMessage message, TimeSpan delay, CancellationToken cancellationToken = default);
}
