namespace Pki.Core.Acme;

/// <summary>
/// An ACME POST as the HTTP layer hands it over: the body, the absolute URL the client used (which the JWS <c>url</c>
/// header must equal) and the base URL (scheme, host, route prefix) the server's own URLs are built from.
/// </summary>
public sealed record AcmePost(string Url, string BaseUrl, byte[] Body);
