namespace Pki.Core.Storage;

/// <summary>Storage queue names, before the configured prefix, and the rule that applies the prefix.</summary>
public static class QueueNames
{
    /// <summary>The app setting a queue trigger reads its storage connection from (the same account as Pki:Storage).</summary>
    public const string Connection = "PkiStorage";

    /// <summary>Batches of a discovery sweep, for the scanner.</summary>
    public const string DiscoveryBatches = "discovery-batches";

    /// <summary>Notice requests (certificate, threshold, recipient level), for SendNotice.</summary>
    public const string Notifications = "notifications";

    /// <summary>Lifecycle events (CloudEvents JSON) where no Service Bus topic is configured: the local stand-in.</summary>
    public const string LifecycleEvents = "lifecycle-events";

    /// <summary>One message per certificate due for renewal, from the fan-out (or an older planner) to the renewer.</summary>
    public const string Renewals = "renewals";

    /// <summary>Batches of certificates due for renewal (a chunk of one day bucket each), from the planner to the fan-out.</summary>
    public const string RenewalBatches = "renewal-batches";

    /// <summary>Renewal requests with a new CSR, put there by teams' pipelines (format in the README).</summary>
    public const string RenewalRequests = "renewal-requests";

    private const int MinLength = 3;
    private const int MaxLength = 63;

    /// <summary>
    /// The queue that <paramref name="name"/> means under <paramref name="prefix"/> (<c>Pki:Storage:TablePrefix</c>):
    /// both lowercased, as the Functions host lowercases a [QueueTrigger] name. Senders in core and the dev host's
    /// queue triggers both use this rule, so test runs sharing one storage account never share a queue. In Azure the
    /// prefix must be empty, because the Functions host reads a trigger's name without it.
    /// </summary>
    /// <exception cref="ArgumentException">The result is not a valid queue name: 3 to 63 ASCII letters, digits and single
    /// hyphens, starting and ending with a letter or digit.</exception>
    public static string Resolve(string prefix, string name)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var resolved = (prefix + name).ToLowerInvariant();
        if (resolved.Length is < MinLength or > MaxLength)
        {
            throw new ArgumentException($"The queue name '{resolved}' has {resolved.Length} characters; queue names have {MinLength} to {MaxLength}.", nameof(name));
        }

        if (!resolved.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"The queue name '{resolved}' may hold only ASCII letters, digits and hyphens.", nameof(name));
        }

        if (resolved[0] == '-' || resolved[^1] == '-' || resolved.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The queue name '{resolved}' must start and end with a letter or digit and have no two hyphens in a row.", nameof(name));
        }

        return resolved;
    }
}
