namespace Pki.Core.Storage;

/// <summary>Storage queue names, before the configured prefix.</summary>
public static class QueueNames
{
    /// <summary>The app setting a queue trigger reads its storage connection from (the same account as Pki:Storage).</summary>
    public const string Connection = "PkiStorage";

    /// <summary>Batches of a discovery sweep, for the scanner.</summary>
    public const string DiscoveryBatches = "discovery-batches";

    /// <summary>
    /// The queue name with the (lowercased) storage prefix in front, as tests isolate themselves with a
    /// prefix; in Azure the prefix is empty, so trigger attributes and senders name the same queue.
    /// </summary>
    public static string Resolve(string prefix, string name) => (prefix + name).ToLowerInvariant();
}
