using System.Text;
using System.Text.Json;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// A flattened JWS (RFC 7515 §7.2.2) as ACME requires it (RFC 8555 §6.2), parsed but not yet verified: exactly
/// <c>protected</c>, <c>payload</c> and <c>signature</c>, one signature, no unprotected header, and a protected header
/// with <c>alg</c>, <c>nonce</c>, <c>url</c> and exactly one of <c>jwk</c> and <c>kid</c>.
/// </summary>
public sealed class JwsMessage
{
    /// <summary>The signature algorithms accepted for requests (RSA PKCS#1 v1.5 and ECDSA); MACs and "none" are not.</summary>
    public static readonly IReadOnlySet<string> Algorithms = new HashSet<string>(StringComparer.Ordinal) { "RS256", "ES256", "ES384" };

    private JwsMessage()
    {
    }

    public string Alg { get; private init; } = string.Empty;

    public string? Nonce { get; private init; }

    public string Url { get; private init; } = string.Empty;

    public string? Kid { get; private init; }

    public AcmeJwk? Jwk { get; private init; }

    /// <summary>The decoded payload; empty for POST-as-GET.</summary>
    public byte[] Payload { get; private init; } = [];

    public bool IsPostAsGet => Payload.Length == 0;

    /// <summary>The payload as its base64url text, as an EAB inner JWS compares it.</summary>
    public string EncodedPayload { get; private init; } = string.Empty;

    public byte[] SigningInput { get; private init; } = [];

    public byte[] Signature { get; private init; } = [];

    /// <summary>Parses <paramref name="body"/>; anything but one well-formed flattened JWS is <c>malformed</c>, an algorithm we do not accept <c>badSignatureAlgorithm</c>.</summary>
    public static JwsMessage Parse(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw AcmeProblemException.Malformed("The request body is not JSON; send a flattened JWS (RFC 8555 §6.2).");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw AcmeProblemException.Malformed("The request body must be a JSON object: a flattened JWS.");
        }

        if (root.TryGetProperty("signatures", out _))
        {
            throw AcmeProblemException.Malformed("The JWS must have exactly one signature, in the flattened serialization.");
        }

        if (root.TryGetProperty("header", out _))
        {
            throw AcmeProblemException.Malformed("The JWS must not have an unprotected header; put every header in 'protected'.");
        }

        var protectedText = Text(root, "protected");
        var payloadText = Text(root, "payload");
        var signatureText = Text(root, "signature");
        var header = DecodeJson(protectedText, "protected header");
        var alg = HeaderString(header, "alg") ?? throw AcmeProblemException.Malformed("The protected header lacks 'alg'.");
        if (!Algorithms.Contains(alg))
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadSignatureAlgorithm,
                $"The JWS algorithm '{alg}' is not accepted; use one of {string.Join(", ", Algorithms)}.");
        }

        var url = HeaderString(header, "url") ?? throw AcmeProblemException.Malformed("The protected header lacks 'url'.");
        var hasJwk = header.TryGetProperty("jwk", out var jwkElement);
        var kid = HeaderString(header, "kid");
        if (hasJwk == (kid is not null))
        {
            throw AcmeProblemException.Malformed("The protected header must carry exactly one of 'jwk' and 'kid'.");
        }

        var jwk = hasJwk ? AcmeJwk.Parse(jwkElement) : null;
        if (jwk is not null && !jwk.Fits(alg))
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadSignatureAlgorithm, $"The JWS algorithm '{alg}' does not fit the {jwk.KeyType} {jwk.Curve} key in 'jwk'.");
        }

        return new JwsMessage
        {
            Alg = alg,
            Nonce = HeaderString(header, "nonce"),
            Url = url,
            Kid = kid,
            Jwk = jwk,
            Payload = Decode(payloadText, "payload"),
            EncodedPayload = payloadText,
            SigningInput = Encoding.ASCII.GetBytes(protectedText + "." + payloadText),
            Signature = Decode(signatureText, "signature"),
        };
    }

    /// <summary>The payload as JSON; POST-as-GET or anything but a JSON object is <c>malformed</c>.</summary>
    public JsonElement PayloadJson()
    {
        if (IsPostAsGet)
        {
            throw AcmeProblemException.Malformed("This request needs a JSON payload; an empty payload is POST-as-GET.");
        }

        try
        {
            using var document = JsonDocument.Parse(Payload, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw AcmeProblemException.Malformed("The payload must be a JSON object.");
        }
        catch (JsonException)
        {
            throw AcmeProblemException.Malformed("The payload is not JSON.");
        }
    }

    internal static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw AcmeProblemException.Malformed($"The JWS lacks its '{name}' member (a string).");

    internal static byte[] Decode(string text, string what)
    {
        try
        {
            return Base64Url.Decode(text);
        }
        catch (FormatException)
        {
            throw AcmeProblemException.Malformed($"The JWS {what} is not unpadded base64url.");
        }
    }

    internal static JsonElement DecodeJson(string text, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(Decode(text, what), new JsonDocumentOptions { MaxDepth = 8 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw AcmeProblemException.Malformed($"The JWS {what} must be a JSON object.");
        }
        catch (JsonException)
        {
            throw AcmeProblemException.Malformed($"The JWS {what} is not JSON.");
        }
    }

    internal static string? HeaderString(JsonElement header, string name) =>
        header.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw AcmeProblemException.Malformed($"The protected header's '{name}' must be a string.")
            : null;
}
