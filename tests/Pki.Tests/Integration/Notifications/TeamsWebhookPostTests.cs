using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;

namespace Pki.Tests.Integration.Notifications;

/// <summary>Issue 16 item 8: the Teams POST as it goes over the wire, read byte for byte on a loopback socket.</summary>
public sealed class TeamsWebhookPostTests
{
    [Fact]
    public async Task The_card_is_posted_with_a_content_length_not_chunked()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = ReceiveOneRequestAsync(listener);
        var options = Options.Create(new PkiOptions { Notifications = { Teams = { WebhookUrl = $"http://127.0.0.1:{port}/workflows/default" } } });
        using var http = new HttpClient();
        var channel = new TeamsNoticeChannel(http, new NoticeRecipients(options), options);
        var notice = new Notice("ab".PadRight(64, 'c'), "01", "CN=app.internal", ["app.internal"], "CN=Issuing", DateTimeOffset.UtcNow.AddDays(5), 5, 7,
            ["127.0.0.1:443"], "olga@corp.internal", "payments", RecipientLevel.Owner, new Uri("http://pki.test/api/inventory/x"), false);

        Assert.True(await channel.SendAsync(notice));

        var (head, body) = await received;
        var headers = head.Split("\r\n").Skip(1).Select(h => h.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        Assert.False(headers.ContainsKey("Transfer-Encoding"), head);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["Content-Length"]);
        Assert.Equal("application/json; charset=utf-8", headers["Content-Type"]);
        Assert.Equal("message", JsonNode.Parse(body)!["type"]!.GetValue<string>());
    }

    /// <summary>Reads one HTTP/1.1 request (head, then as many body bytes as Content-Length says) and answers 202.</summary>
    private static async Task<(string Head, byte[] Body)> ReceiveOneRequestAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int end;
        while ((end = IndexOf(buffer.ToArray(), "\r\n\r\n"u8.ToArray())) < 0)
        {
            var read = await stream.ReadAsync(chunk);
            Assert.True(read > 0, "the connection closed before the request head ended");
            buffer.Write(chunk, 0, read);
        }

        var all = buffer.ToArray();
        var head = Encoding.ASCII.GetString(all, 0, end);
        var length = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? int.Parse(line.Split(':', 2)[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new MemoryStream();
        body.Write(all, end + 4, all.Length - end - 4);
        while (body.Length < length)
        {
            var read = await stream.ReadAsync(chunk);
            Assert.True(read > 0, "the connection closed before the body ended");
            body.Write(chunk, 0, read);
        }

        await stream.WriteAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        return (head, body.ToArray());
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }
}
