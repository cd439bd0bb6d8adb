using Microsoft.Extensions.Logging;

namespace Pki.Core.Audit;

/// <summary>
/// Walks the chain from the first record to the head read at the start, holding only the previous record,
/// and stops at the first break. Records appended while it walks lie beyond that head and are left for the
/// next verification. A row the store cannot read as written (a property's type changed) is a break like any
/// other: the verifier reports tampering, it never fails on it.
/// </summary>
public sealed class AuditVerifier(IAuditStore store, ILogger<AuditVerifier> logger, IAuditCheckStore? checks = null, TimeProvider? time = null)
{
    /// <summary>Walks the chain and keeps the result as the last verification (the dashboard's health strip shows it).</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var started = (time ?? TimeProvider.System).GetUtcNow();
        var result = await WalkAsync(cancellationToken).ConfigureAwait(false);
        if (checks is not null)
        {
            await checks.SaveAsync(new AuditCheck(started, result.Ok, result.Count, result.HeadSequence, result.Break?.Sequence), CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<AuditVerification> WalkAsync(CancellationToken cancellationToken)
    {
        AuditHead? head;
        string? unreadableHead = null;
        try
        {
            head = await store.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UnreadableAuditRowException e)
        {
            // Nothing then bounds the walk; the records are still checked, so a break among them is named first.
            head = null;
            unreadableHead = e.Message;
        }

        var headSequence = head?.Sequence ?? 0;
        var walkTo = unreadableHead is null ? headSequence : long.MaxValue;
        var headHash = head?.Hash ?? AuditRecord.GenesisHash;
        long count = 0;
        var previousHash = AuditRecord.GenesisHash;
        var previousTime = DateTimeOffset.MinValue;

        AuditVerification Broken(long sequence, string problem, string detail)
        {
            logger.LogWarning("Audit chain broken at {Sequence}: {Problem}: {Detail}", sequence, problem, detail);
            return new AuditVerification(false, count, headSequence, headHash, new AuditBreak(sequence, problem, detail));
        }

        await using var records = store.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            AuditRecord record;
            try
            {
                if (!await records.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                record = records.Current;
            }
            catch (UnreadableAuditRowException e)
            {
                return Broken(e.Sequence ?? count + 1, AuditBreak.Altered, e.Message);
            }

            if (record.Sequence > walkTo)
            {
                // Appended after we read the head (or, with no head, a chain whose anchor is gone).
                if (head is null)
                {
                    return Broken(record.Sequence, AuditBreak.HeadMismatch, "Records exist but the head row that anchors the chain is missing.");
                }

                break;
            }

            var expected = count + 1;
            if (record.Sequence != expected)
            {
                return record.Sequence > expected
                    ? Broken(expected, AuditBreak.Missing, $"Record {expected} is missing: the chain goes from {count} to {record.Sequence}.")
                    : Broken(record.Sequence, AuditBreak.Altered, $"Record {record.Sequence} appears again after record {count}: the chain forked, or a record's time or key was changed.");
            }

            if (!AuditHash.Matches(record))
            {
                return Broken(record.Sequence, AuditBreak.Altered, $"Record {record.Sequence}'s content does not match its hash.");
            }

            if (!string.Equals(record.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return Broken(record.Sequence, AuditBreak.BrokenLink,
                    $"Record {record.Sequence} links to {record.PreviousHash}, but record {count}'s hash is {previousHash}: record {count} was rewritten with a new hash, or record {record.Sequence} was.");
            }

            if (record.Time < previousTime)
            {
                return Broken(record.Sequence, AuditBreak.Altered, $"Record {record.Sequence} is older than record {count}.");
            }

            count = record.Sequence;
            previousHash = record.Hash;
            previousTime = record.Time;
        }

        if (unreadableHead is not null)
        {
            return Broken(count, AuditBreak.HeadMismatch, unreadableHead);
        }

        if (count < headSequence)
        {
            return Broken(count + 1, AuditBreak.Missing, $"The head names record {headSequence}, but the chain ends at {count}: records from {count + 1} on are missing.");
        }

        if (!string.Equals(previousHash, headHash, StringComparison.Ordinal))
        {
            return Broken(headSequence, AuditBreak.HeadMismatch, $"The head names hash {headHash} for record {headSequence}, but that record's hash is {previousHash}.");
        }

        return new AuditVerification(true, count, headSequence, headHash, null);
    }
}
