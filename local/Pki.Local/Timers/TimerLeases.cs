using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Core.Storage;

namespace Pki.Local.Timers;

/// <summary>
/// The Functions host's singleton lock for timers, on blobs, so that any number of dev hosts sharing one storage
/// account run each occurrence of a timer on one host only. Each timer has one blob,
/// <c>azure-webjobs-hosts/timers/pki-local-{prefix}/{FunctionName}/status</c>: the host running an occurrence holds a
/// lease on it, and it holds the schedule status, which only the lease holder can write. The prefix is the lowercased
/// <c>Pki:Storage:TablePrefix</c> (plain <c>pki-local</c> without one), so hosts of different deployments or test runs
/// sharing one account never block each other.
/// </summary>
public sealed class TimerLeases
{
    /// <summary>The container the Functions host keeps its locks and timer statuses in.</summary>
    public const string Container = "azure-webjobs-hosts";

    /// <summary>The dev host's host id before the prefix; the Functions host's own ids are site names.</summary>
    public const string HostIdBase = "pki-local";

    /// <summary>As the Functions host's listener lock (singleton.listenerLockPeriod).</summary>
    public static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(60);

    /// <summary>A third of the period, so two renewals may fail before the lease lapses under a long run.</summary>
    public static readonly TimeSpan RenewalInterval = TimeSpan.FromSeconds(20);

    private const string StorageSection = "Pki:Storage";

    private readonly BlobContainerClient? _container;
    private readonly string _prefix;
    private readonly ILogger<TimerLeases> _logger;
    private volatile bool _containerExists;

    /// <param name="container">The lock container; null when no storage account is configured (then nothing can be leased).</param>
    /// <param name="prefix">Pki:Storage:TablePrefix, which keeps hosts of other deployments apart.</param>
    /// <param name="logger">Where lost leases and failed releases are logged.</param>
    public TimerLeases(BlobContainerClient? container, string prefix, ILogger<TimerLeases> logger)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(logger);
        _container = container;
        _prefix = prefix;
        _logger = logger;
    }

    /// <summary>False when no storage account is configured: scheduled runs cannot take their lease.</summary>
    public bool IsConfigured => _container is not null;

    /// <summary>The leases of the dev host as configured: the account and prefix of <c>Pki:Storage</c>.</summary>
    public static TimerLeases Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var storage = StorageOf(services);
        return new TimerLeases(ContainerOf(storage, services), storage.TablePrefix, services.GetRequiredService<ILogger<TimerLeases>>());
    }

    /// <summary>The <c>Pki:Storage</c> settings the dev host keeps its own blobs by.</summary>
    internal static StorageOptions StorageOf(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetSection(StorageSection).Get<StorageOptions>() ?? new StorageOptions();

    /// <summary><see cref="Container"/> in the configured account; null when no account is configured.</summary>
    internal static BlobContainerClient? ContainerOf(StorageOptions storage, IServiceProvider services)
    {
        if (StorageClients.UsesConnectionString(storage))
        {
            return StorageClients.Blobs(storage, credential: null).GetBlobContainerClient(Container);
        }

        return string.IsNullOrWhiteSpace(storage.BlobServiceUri)
            ? null
            : StorageClients.Blobs(storage, services.GetRequiredService<TokenCredential>()).GetBlobContainerClient(Container);
    }

    /// <summary>Stands where the Functions host puts its site's host id, so one deployment's hosts share their leases.</summary>
    public static string HostId(string prefix) => prefix.Length == 0 ? HostIdBase : HostIdBase + "-" + prefix.ToLowerInvariant();

    /// <summary>The blob that a timer's lease is taken on and that holds its schedule status.</summary>
    public static string BlobName(string prefix, string functionName) => $"timers/{HostId(prefix)}/{functionName}/status";

    /// <summary>Fails fast at start, naming the setting, rather than at the first occurrence.</summary>
    /// <exception cref="InvalidOperationException">No storage account is configured.</exception>
    public void EnsureConfigured()
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException(
                $"Timer functions run on one host at a time through blob leases, as in the Functions host: set {StorageSection}:ConnectionString " +
                $"(or {StorageSection}:BlobServiceUri), or turn schedules off with {DevHostOptions.Section}:DisableTimers=true.");
        }
    }

    /// <summary>
    /// Takes the timer's lease and reads its schedule status; null when another host holds the lease. The lease is
    /// renewed until the returned handle is disposed, which releases it. A timer seen for the first time gets its blob,
    /// holding <paramref name="initial"/>, so an occurrence whose run never finishes stays due for the next holder.
    /// </summary>
    public async Task<TimerLease?> TryAcquireAsync(string functionName, TimerScheduleStatus initial, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentNullException.ThrowIfNull(initial);
        EnsureConfigured();
        if (!_containerExists)
        {
            // Not cached as a task: a failure (storage still starting) is tried again at the next occurrence.
            await _container!.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }

        var blob = _container!.GetBlobClient(BlobName(_prefix, functionName));
        var lease = blob.GetBlobLeaseClient();
        bool acquired;
        try
        {
            acquired = await TryAcquireLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound.ToString())
        {
            await CreateAsync(blob, initial, cancellationToken).ConfigureAwait(false);
            acquired = await TryAcquireLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        }

        if (!acquired)
        {
            return null;
        }

        var held = new TimerLease(blob, lease, functionName, _logger);
        try
        {
            var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            held.Status = content.ToMemory().Length == 0 ? null : content.ToObjectFromJson<TimerScheduleStatus>();
            return held;
        }
        catch
        {
            // The caller gets no handle to release, so the lease is released here before the failure goes up.
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> TryAcquireLeaseAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(LeasePeriod, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.LeaseAlreadyPresent.ToString())
        {
            return false;
        }
    }

    private static async Task CreateAsync(BlobClient blob, TimerScheduleStatus initial, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
            await blob.UploadAsync(BinaryData.FromObjectAsJson(initial), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another host created it first; its status is as good as ours.
        }
    }
}
