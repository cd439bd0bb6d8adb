using System.Net;
using Microsoft.AspNetCore.Http;

namespace Pki.Functions.Http;

/// <summary>
/// The caller's address as far as it can be trusted: the connection's, or behind <c>hops</c> proxies that each append
/// what they saw to <c>X-Forwarded-For</c>, the address the outermost of them saw (the <c>hops</c>th from the right).
/// Anything left of it was written by the caller and is ignored; a header too short or not an address falls back to the
/// leftmost trusted entry or the connection, never to a value the caller chose.
/// </summary>
public static class ClientAddress
{
    /// <summary>At most this many characters of <c>X-Forwarded-For</c> are read; a longer header is a caller's padding.</summary>
    public const int MaxHeaderLength = 4096;

    public static string? Of(HttpRequest request, int hops)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = request.HttpContext.Connection.RemoteIpAddress;
        return Of(connection, request.Headers["X-Forwarded-For"].ToString(), hops)?.ToString();
    }

    public static IPAddress? Of(IPAddress? connection, string? forwardedFor, int hops)
    {
        if (hops <= 0 || string.IsNullOrEmpty(forwardedFor))
        {
            return Normalize(connection);
        }

        // Proxies append, so the last entries are theirs. Read from the right only as far as the trusted hops reach.
        var text = forwardedFor.Length > MaxHeaderLength ? forwardedFor[^MaxHeaderLength..] : forwardedFor;
        var entries = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            return Normalize(connection);
        }

        var entry = entries[Math.Max(0, entries.Length - hops)];
        return Parse(entry) is { } address ? Normalize(address) : Normalize(connection);
    }

    /// <summary>An entry is an address, possibly with a port (<c>203.0.113.7:51234</c>, <c>[2001:db8::1]:443</c>).</summary>
    private static IPAddress? Parse(string entry)
    {
        if (IPAddress.TryParse(entry, out var address))
        {
            return address;
        }

        return IPEndPoint.TryParse(entry, out var endpoint) ? endpoint.Address : null;
    }

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
