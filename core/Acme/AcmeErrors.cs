namespace Pki.Core.Acme;

/// <summary>The RFC 8555 §6.7 (and RFC 9773) error types this service answers with, without their URN prefix.</summary>
public static class AcmeErrors
{
    public const string Prefix = "urn:ietf:params:acme:error:";

    public const string AccountDoesNotExist = "accountDoesNotExist";
    public const string AlreadyReplaced = "alreadyReplaced";
    public const string AlreadyRevoked = "alreadyRevoked";
    public const string BadCsr = "badCSR";
    public const string BadNonce = "badNonce";
    public const string BadPublicKey = "badPublicKey";
    public const string BadRevocationReason = "badRevocationReason";
    public const string BadSignatureAlgorithm = "badSignatureAlgorithm";
    public const string Connection = "connection";
    public const string Dns = "dns";
    public const string ExternalAccountRequired = "externalAccountRequired";
    public const string IncorrectResponse = "incorrectResponse";
    public const string InvalidContact = "invalidContact";
    public const string Malformed = "malformed";
    public const string OrderNotReady = "orderNotReady";
    public const string RateLimited = "rateLimited";
    public const string RejectedIdentifier = "rejectedIdentifier";
    public const string ServerInternal = "serverInternal";
    public const string Tls = "tls";
    public const string Unauthorized = "unauthorized";
    public const string UnsupportedContact = "unsupportedContact";
    public const string UnsupportedIdentifier = "unsupportedIdentifier";
}
