using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Pki.Core.Authority;
using ISigner = Pki.Core.Signing.ISigner;

namespace Pki.Core.Revocation;

/// <summary>
/// Writes an RFC 5280 v2 CRL as DER directly into one buffer. Entries are written once, in place,
/// after a gap; the headers, whose lengths are known only then, are written backwards into the gap,
/// so a CRL of a million entries is never copied and holds no object per entry.
/// </summary>
public static class CrlEncoder
{
    /// <summary>An entry is at most 2 + 19 (serial) + 17 (time) + 14 (reason) bytes.</summary>
    private const int MaxEntrySize = 52;

    /// <summary>A 16-byte serial with a reason: 2 + 18 + 15 + 14 bytes; sizing the buffer by it avoids a doubling copy.</summary>
    private const int TypicalEntrySize = 50;

    /// <summary>Room for the outer, TBS and revokedCertificates headers (each at most 6 bytes).</summary>
    private const int HeadersGap = 18;

    private static readonly byte[] ReasonCodeOid = [0x06, 0x03, 0x55, 0x1D, 0x15];

    public static ReadOnlyMemory<byte> Encode(CrlTemplate template, IEnumerable<CrlEntry> entries, ISigner signer, int expectedEntries = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var writer = new Writer(template, signer, expectedEntries);
        foreach (var entry in entries)
        {
            writer.Add(entry);
        }

        return writer.Finish();
    }

    /// <summary>Streams the entries from storage into the CRL as they arrive; the revoked set is never held as a list.</summary>
    public static async Task<(ReadOnlyMemory<byte> Der, int Entries)> EncodeAsync(
        CrlTemplate template, IAsyncEnumerable<CrlEntry> entries, ISigner signer, int expectedEntries = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var writer = new Writer(template, signer, expectedEntries);
        await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            writer.Add(entry);
        }

        return (writer.Finish(), writer.Count);
    }

    /// <summary>One CRL being written: entries appended after the headers' gap, then back-filled and signed.</summary>
    private sealed class Writer
    {
        private readonly byte[] _algorithm;
        private readonly byte[] _head;
        private readonly byte[] _extensions;
        private readonly ISigner _signer;
        private readonly Buffer _buffer;
        private readonly int _gap;

        public Writer(CrlTemplate template, ISigner signer, int expectedEntries)
        {
            ArgumentNullException.ThrowIfNull(template);
            ArgumentNullException.ThrowIfNull(signer);
            _signer = signer;
            _algorithm = SignerSignatureFactory.AlgorithmIdentifierFor(signer.Scheme).GetEncoded(Asn1Encodable.Der);
            _head = Head(template, _algorithm);
            _extensions = Extensions(template);
            _gap = HeadersGap + _head.Length;
            _buffer = new Buffer(_gap + (Math.Max(expectedEntries, 0) * TypicalEntrySize) + _extensions.Length + 1024) { Position = _gap };
        }

        public int Count { get; private set; }

        public void Add(CrlEntry entry)
        {
            WriteEntry(_buffer.Reserve(MaxEntrySize), entry, out var written);
            _buffer.Position += written;
            Count++;
        }

        public ReadOnlyMemory<byte> Finish()
        {
            var buffer = _buffer;
            var entriesLength = buffer.Position - _gap;
            buffer.Append(_extensions);
            var tbsEnd = buffer.Position;

            // Back-fill: [revokedCertificates header] is omitted with no entries (RFC 5280 5.1.2.6).
            var cursor = _gap;
            if (entriesLength > 0)
            {
                cursor -= Der.HeaderSize(entriesLength);
                Der.WriteHeader(buffer.Array.AsSpan(cursor), Der.Sequence, entriesLength);
            }

            cursor -= _head.Length;
            _head.CopyTo(buffer.Array.AsSpan(cursor));
            var tbsContent = tbsEnd - cursor;
            cursor -= Der.HeaderSize(tbsContent);
            Der.WriteHeader(buffer.Array.AsSpan(cursor), Der.Sequence, tbsContent);
            var tbsStart = cursor;

            var signature = _signer.Sign(buffer.Array.AsSpan(tbsStart, tbsEnd - tbsStart));
            buffer.Append(_algorithm);
            var bits = buffer.Reserve(Der.HeaderSize(signature.Length + 1) + signature.Length + 1);
            var n = Der.WriteHeader(bits, Der.BitString, signature.Length + 1);
            bits[n++] = 0;
            signature.CopyTo(bits[n..]);
            buffer.Position += n + signature.Length;

            var outerContent = buffer.Position - tbsStart;
            var start = tbsStart - Der.HeaderSize(outerContent);
            Der.WriteHeader(buffer.Array.AsSpan(start), Der.Sequence, outerContent);
            return buffer.Array.AsMemory(start, buffer.Position - start);
        }
    }

    private static void WriteEntry(Span<byte> destination, CrlEntry entry, out int written)
    {
        var serial = entry.Serial.Span;
        var serialLength = Der.PositiveIntegerContentLength(serial);
        if (serialLength > 20)
        {
            throw new ArgumentException("A serial number is at most 20 octets (RFC 5280 4.1.2.2).", nameof(entry));
        }

        // RFC 5280 5.3.1: the reasonCode extension is absent rather than "unspecified".
        var hasReason = entry.Reason != RevocationReason.Unspecified;
        var content = Der.HeaderSize(serialLength) + serialLength + Der.TimeSize(entry.RevokedAt) + (hasReason ? 14 : 0);
        var i = Der.WriteHeader(destination, Der.Sequence, content);
        i += Der.WritePositiveInteger(destination[i..], serial);
        i += Der.WriteTime(destination[i..], entry.RevokedAt);
        if (hasReason)
        {
            // Extensions ::= SEQUENCE { Extension { extnID reasonCode, extnValue OCTET STRING { ENUMERATED } } }
            destination[i++] = Der.Sequence;
            destination[i++] = 12;
            destination[i++] = Der.Sequence;
            destination[i++] = 10;
            ReasonCodeOid.CopyTo(destination[i..]);
            i += ReasonCodeOid.Length;
            destination[i++] = Der.OctetString;
            destination[i++] = 3;
            destination[i++] = Der.Enumerated;
            destination[i++] = 1;
            destination[i++] = (byte)entry.Reason;
        }

        written = i;
    }

    /// <summary>version, signature, issuer, thisUpdate, nextUpdate: the TBS fields before the entries.</summary>
    private static byte[] Head(CrlTemplate template, byte[] algorithm)
    {
        var size = 3 + algorithm.Length + template.IssuerName.Length + Der.TimeSize(template.ThisUpdate) + Der.TimeSize(template.NextUpdate);
        var head = new byte[size];
        var span = head.AsSpan();
        span[0] = Der.Integer;
        span[1] = 1;
        span[2] = 1; // v2
        var i = 3;
        algorithm.CopyTo(span[i..]);
        i += algorithm.Length;
        template.IssuerName.CopyTo(span[i..]);
        i += template.IssuerName.Length;
        i += Der.WriteTime(span[i..], template.ThisUpdate);
        Der.WriteTime(span[i..], template.NextUpdate);
        return head;
    }

    /// <summary>crlExtensions [0] EXPLICIT Extensions.</summary>
    private static byte[] Extensions(CrlTemplate template)
    {
        var generator = new X509ExtensionsGenerator();
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(template.AuthorityKeyId));
        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(template.CrlNumber)));
        if (template.BaseCrlNumber is { } baseNumber)
        {
            generator.AddExtension(X509Extensions.DeltaCrlIndicator, true, new CrlNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(baseNumber)));
        }

        if (template.DistributionPoint is { } url)
        {
            var name = new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, url)));
            generator.AddExtension(X509Extensions.IssuingDistributionPoint, true,
                new IssuingDistributionPoint(name, onlyContainsUserCerts: true, onlyContainsCACerts: false, onlySomeReasons: null, indirectCRL: false, onlyContainsAttributeCerts: false));
        }

        if (template.FreshestCrl is { } freshest)
        {
            generator.AddExtension(X509Extensions.FreshestCrl, false, CertificateFactory.DistributionPoints(freshest));
        }

        return new DerTaggedObject(true, 0, generator.Generate()).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>A growable byte array whose unused front part is the headers' gap.</summary>
    private sealed class Buffer(int capacity)
    {
        public byte[] Array { get; private set; } = new byte[capacity];

        public int Position { get; set; }

        public Span<byte> Reserve(int bytes)
        {
            if (Position + bytes > Array.Length)
            {
                var grown = new byte[Math.Max(Array.Length * 2, Position + bytes)];
                Array.AsSpan(0, Position).CopyTo(grown);
                Array = grown;
            }

            return Array.AsSpan(Position, bytes);
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Reserve(bytes.Length));
            Position += bytes.Length;
        }
    }
}
