using Microsoft.Azure.Functions.Worker;
using Pki.Core.Acme;
using Pki.Core.Storage;

namespace Pki.Functions.Acme;

/// <summary>One ACME challenge validation attempt per message (retries with backoff are messages of their own).</summary>
public sealed class ValidateAcmeChallenge(AcmeValidationService validations)
{
    [Function(nameof(ValidateAcmeChallenge))]
    public Task Run(
        [QueueTrigger(AcmeQueueNames.Validations, Connection = QueueNames.Connection)] AcmeValidationMessage message,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        validations.HandleAsync(message, dequeueCount, cancellationToken);
}
