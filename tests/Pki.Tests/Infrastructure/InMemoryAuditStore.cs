using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Pki.Core.Access;
using Pki.Core.Audit;

namespace Pki.Tests.Infrastructure;

/// <summary>A fake audit store with the table store's all-or-nothing, head-conditional append; it can be told to fail.</summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    private readonly object _gate = new();
    private readonly List<AuditRecord> _records = [];
    private readonly Dictionary<string, long> _once = [];
    private AuditHead? _head;
    private int _version;

    /// <summary>While positive, each append throws (and counts down), as a store that is down would.</summary>
    public int FailuresToReport { get; set; }

    public IReadOnlyList<AuditRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>A real <see cref="AuditTrail"/> over a new in-memory store.</summary>
    public static (AuditTrail Trail, InMemoryAuditStore Store) Trail(TimeProvider? time = null)
    {
        var store = new InMemoryAuditStore();
        return (new AuditTrail(store, new CallerContext(), time ?? TimeProvider.System, NullLogger<AuditTrail>.Instance), store);
    }

    public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_head);
        }
    }

    public Task<AppendResult> TryAppendAsync(AuditHead? expected, IReadOnlyList<AuditAppend> appends, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (FailuresToReport > 0)
            {
                FailuresToReport--;
                throw new IOException("The audit store is down (test).");
            }

            if (appends.Any(a => a.OnceKey is { } key && _once.ContainsKey(key)))
            {
                return Task.FromResult(AppendResult.AlreadyRecorded);
            }

            if (_head?.Version != expected?.Version)
            {
                return Task.FromResult(AppendResult.HeadMoved);
            }

            foreach (var (record, onceKey) in appends)
            {
                _records.Add(record);
                if (onceKey is not null)
                {
                    _once[onceKey] = record.Sequence;
                }
            }

            var last = appends[^1].Record;
            _head = new AuditHead(last.Sequence, last.Hash, last.Time, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(AppendResult.Appended);
        }
    }

    public Task<IReadOnlySet<string>> RecordedOnceKeysAsync(IReadOnlyCollection<string> onceKeys, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlySet<string>>(onceKeys.Where(_once.ContainsKey).ToHashSet(StringComparer.Ordinal));
        }
    }

    public Task<AuditPage> QueryAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? continuationToken, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Paging is tested against Azurite.");

    public async IAsyncEnumerable<AuditRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var record in Records)
        {
            yield return record;
        }

        await Task.CompletedTask;
    }
}
