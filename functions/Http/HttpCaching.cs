using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Pki.Functions.Http;

/// <summary>Caching headers for a response that is valid until a known time (a CRL's or OCSP response's nextUpdate).</summary>
public static class HttpCaching
{
    /// <summary>
    /// Lets HTTP caches keep the result until <paramref name="nextUpdate"/>: Cache-Control max-age (with the
    /// extra directives), Expires, Last-Modified and ETag. The file result executor then answers
    /// If-None-Match and If-Modified-Since with 304.
    /// </summary>
    public static T FreshUntil<T>(T result, HttpResponse response, string entityTag, DateTimeOffset lastModified, DateTimeOffset nextUpdate, DateTimeOffset now, string directives)
        where T : FileResult
    {
        var maxAge = Math.Max(0, (long)(nextUpdate - now).TotalSeconds);
        response.Headers.CacheControl = $"max-age={maxAge.ToString(CultureInfo.InvariantCulture)}, {directives}";
        response.Headers.Expires = nextUpdate.ToString("R", CultureInfo.InvariantCulture);
        result.LastModified = lastModified;
        result.EntityTag = new EntityTagHeaderValue("\"" + entityTag + "\"");
        return result;
    }
}
