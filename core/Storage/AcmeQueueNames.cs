namespace Pki.Core.Storage;

/// <summary>ACME's storage queues, before the configured prefix (see <see cref="QueueNames.Resolve"/>).</summary>
public static class AcmeQueueNames
{
    /// <summary>Challenge validations, for the queue-triggered validator.</summary>
    public const string Validations = "acme-validations";
}
