using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// A small HTTP server for clients whose http-01 hook writes each key authorization into a directory (uacme's hook,
/// dehydrated's WELLKNOWN): GET /.well-known/acme-challenge/{token} answers the file named {token}, 404 otherwise.
/// </summary>
public sealed class WellKnownDirectoryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WellKnownDirectoryServer(WebApplication app, string directory)
    {
        _app = app;
        Directory = directory;
    }

    /// <summary>Where the client's hook writes the files.</summary>
    public string Directory { get; }

    public static async Task<WellKnownDirectoryServer> StartAsync(string directory, int port)
    {
        System.IO.Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/.well-known/acme-challenge/{token}", (string token) =>
        {
            // Tokens are base64url (RFC 8555 §8.1): anything else could name a path outside the directory.
            var path = Path.Combine(directory, token);
            return token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && File.Exists(path)
                ? Results.Text(File.ReadAllText(path))
                : Results.NotFound();
        });
        await app.StartAsync();
        return new WellKnownDirectoryServer(app, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
