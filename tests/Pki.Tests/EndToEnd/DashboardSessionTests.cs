using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pki.Core.Access.Sessions;
using Pki.Functions.Http;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The dashboard's session over plain HTTP: what the cookie is, that a state-changing call needs the CSRF token bound to
/// it, that signing out and expiry end it, and what the served page allows itself (its Content-Security-Policy).
/// </summary>
public sealed class DashboardSessionTests(DashboardHostFixture host) : IClassFixture<DashboardHostFixture>
{
    [Fact]
    public async Task Sign_in_sets_an_httponly_samesite_strict_cookie_on_the_api_path_and_answers_the_csrf_token()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{TestCallers.Approver.Key}}"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(SessionCookie.Name + "=", cookie, StringComparison.Ordinal);
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToArray();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/api", attributes);
        Assert.Contains($"max-age={DashboardHostFixture.SessionMinutes * 60}", attributes);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var body = DashboardHostFixture.Parse(text);
        Assert.Equal(TestCallers.Approver.Identity, body.GetProperty("id").GetString());
        Assert.Equal("session", body.GetProperty("authenticationMethod").GetString());
        Assert.Contains("ApproveRequests", body.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        var csrf = body.GetProperty("csrfToken").GetString()!;
        var id = cookie.Split(';')[0][(SessionCookie.Name.Length + 1)..];
        Assert.Equal(SessionCookie.CsrfToken(id), csrf);
        Assert.DoesNotContain(TestCallers.Approver.Key, text, StringComparison.Ordinal);

        // The cookie alone authenticates reads as the key's caller.
        using var who = await SendAsync(HttpMethod.Get, "/api/session", id, csrf: null);
        Assert.Equal(HttpStatusCode.OK, who.StatusCode);
        Assert.Equal(TestCallers.Approver.Identity, DashboardHostFixture.Parse(await who.Content.ReadAsStringAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_unknown_key_is_refused_with_a_problem_and_no_cookie()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.PostAsync("/api/session", JsonBody("""{"apiKey":"pki_not-a-key-of-ours"}"""));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        using var empty = await anonymous.PostAsync("/api/session", JsonBody("{}"));
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-sign-in");

        using var forged = await SendAsync(HttpMethod.Get, "/api/inventory", SessionCookie.NewId(), csrf: null);
        await forged.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task A_state_changing_call_with_the_cookie_needs_the_csrf_token_of_that_session()
    {
        var serial = (await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("csrf.internal", ["csrf.internal"])), validityDays: 10)).GetProperty("serialNumber").GetString()!;
        var (id, csrf) = await SignInAsync(TestCallers.Admin);
        var (_, otherCsrf) = await SignInAsync(TestCallers.Admin);
        var revoke = $"/api/certificates/{serial}/revoke";

        using (var none = await SendAsync(HttpMethod.Post, revoke, id, csrf: null, """{"reason":"superseded"}"""))
        {
            await none.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
        }

        using (var another = await SendAsync(HttpMethod.Post, revoke, id, otherCsrf, """{"reason":"superseded"}"""))
        {
            await another.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
        }

        // Nothing changed by the refused calls.
        Assert.Equal("issued", (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("status").GetString());

        using var accepted = await SendAsync(HttpMethod.Post, revoke, id, csrf, """{"reason":"superseded"}""");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("revoked", (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var (id, csrf) = await SignInAsync(TestCallers.Auditor);
        using (var withoutToken = await SendAsync(HttpMethod.Delete, "/api/session", id, csrf: null))
        {
            await withoutToken.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
        }

        using (var signOut = await SendAsync(HttpMethod.Delete, "/api/session", id, csrf))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
            Assert.Contains(signOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SessionCookie.Name + "=;", StringComparison.Ordinal));
        }

        using var after = await SendAsync(HttpMethod.Get, "/api/session", id, csrf: null);
        await after.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task A_session_ends_when_its_minutes_are_up()
    {
        var (id, _) = await SignInAsync(TestCallers.Auditor);
        host.Time.Advance(TimeSpan.FromMinutes(DashboardHostFixture.SessionMinutes) - TimeSpan.FromSeconds(1));
        using (var before = await SendAsync(HttpMethod.Get, "/api/inventory", id, csrf: null))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        host.Time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await SendAsync(HttpMethod.Get, "/api/inventory", id, csrf: null);
        var problem = await expired.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_is_served_with_a_strict_content_security_policy_and_no_inline_script_or_style()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var page = await anonymous.GetAsync("/api/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(DashboardAssets.ContentSecurityPolicy, csp);
        var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("style-src 'self'", directives["style-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));

        // Every script is a file of ours; no inline script, handler or style attribute that the policy would have to allow.
        var html = await page.Content.ReadAsStringAsync();
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.Matches("src=\"/api/dashboard/[a-z]+\\.js\"", s.Value));
        Assert.DoesNotMatch("<script[^>]*>[^<]+</script>", html);
        Assert.DoesNotMatch("\\son[a-z]+=", html);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        using var script = await anonymous.GetAsync("/api/dashboard/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(script.Headers.ETag);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/dashboard/app.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using var notModified = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await anonymous.GetAsync("/api/dashboard/../host.json");
        Assert.NotEqual(HttpStatusCode.OK, missing.StatusCode);
        await (await anonymous.GetAsync("/api/dashboard/secrets.json")).AssertProblemAsync(HttpStatusCode.NotFound, "no-such-asset");
    }

    [Fact]
    public async Task The_openapi_document_is_served_to_anyone_as_json()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.GetAsync("/api/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(Pki.Functions.Http.OpenApi.OpenApiDocument.Text, text);
        var document = DashboardHostFixture.Parse(text);
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/openapi.json", out _));
    }

    [Fact]
    public async Task Failed_sign_ins_are_limited_per_client_and_per_key_prefix_with_a_429_problem_and_retry_after()
    {
        // From 127.0.0.2 (a client of its own): 10 wrong keys are 401, then that client is refused with 429, the right key included.
        using (var guesser = FromAddress("127.0.0.2"))
        {
            for (var i = 0; i < 10; i++)
            {
                using var wrong = await guesser.PostAsync("/api/session", JsonBody($$"""{"apiKey":"pki_{{Guid.NewGuid():N}}"}"""));
                await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
            }

            using var limited = await guesser.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{TestCallers.Auditor.Key}}"}"""));
            var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "sign-in-rate-limited");
            Assert.Contains("this client", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.False(limited.Headers.Contains("Set-Cookie"));
            var retryAfter = limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
            Assert.True(retryAfter > TimeSpan.Zero && retryAfter <= TimeSpan.FromSeconds(900), $"Retry-After {limited.Headers.RetryAfter}");
        }

        // Another client is not held back by that one.
        using (var other = FromAddress("127.0.0.3"))
        using (var signedIn = await other.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{TestCallers.Auditor.Key}}"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, signedIn.StatusCode);
        }

        // One guesser spread over many addresses, with keys of one prefix: the eleventh is refused for the prefix.
        var prefix = "pki_" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10; i++)
        {
            using var client = FromAddress($"127.0.1.{i + 1}");
            using var wrong = await client.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{prefix}}{{Guid.NewGuid():N}}"}"""));
            await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        using (var fresh = FromAddress("127.0.1.100"))
        {
            using var limited = await fresh.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{prefix}}{{Guid.NewGuid():N}}"}"""));
            var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "sign-in-rate-limited");
            Assert.Contains("keys with this prefix", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // The window over (on the host's clock), the prefix may try again.
            host.Time.Advance(TimeSpan.FromSeconds(900));
            using var again = await fresh.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{prefix}}{{Guid.NewGuid():N}}"}"""));
            await again.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_failed_sign_ins_count_per_forwarded_address_and_a_spoofed_prefix_does_not_escape()
    {
        // A second host on the same storage configured as behind one proxy (App Service's front end): every request comes
        // from one connection address, and the client is the last X-Forwarded-For entry, which the proxy appended.
        var app = await DevHostFixture.StartAsync(host.TablePrefix, host.RootId, host.IssuingId, ["--Pki:Access:ForwardedForHops=1"], null);
        try
        {
            using var proxy = new HttpClient { BaseAddress = new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal))) };
            async Task<HttpResponseMessage> SignInAsync(string forwardedFor, string apiKey)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonBody($$"""{"apiKey":"{{apiKey}}"}""") };
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
                return await proxy.SendAsync(request);
            }

            // Ten failures from 203.0.113.7, each with a different address of the caller's own in front.
            var guesser = $"203.0.113.{Random.Shared.Next(1, 250)}";
            for (var i = 0; i < 10; i++)
            {
                using var wrong = await SignInAsync($"198.51.100.{i + 1}, {guesser}", $"pki_{Guid.NewGuid():N}");
                await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
            }

            using (var limited = await SignInAsync($"192.0.2.{Random.Shared.Next(1, 250)}, {guesser}", TestCallers.Auditor.Key))
            {
                var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "sign-in-rate-limited");
                Assert.Contains("this client", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            // Another client behind the same proxy (same connection address) is not held back by that one.
            using (var other = await SignInAsync("2001:db8::77", TestCallers.Auditor.Key))
            {
                Assert.Equal(HttpStatusCode.Created, other.StatusCode);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_forwarded_for_header_is_the_callers_claim_and_changes_nothing()
    {
        // The fixture's host trusts no proxy: ten failures from one connection with ten different headers are one client.
        using var guesser = FromAddress("127.0.0.4");
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonBody($$"""{"apiKey":"pki_{{Guid.NewGuid():N}}"}""") };
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.{i + 1}");
            using var wrong = await guesser.SendAsync(request);
            await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonBody($$"""{"apiKey":"{{TestCallers.Auditor.Key}}"}""") };
        again.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.200");
        using var limited = await guesser.SendAsync(again);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "sign-in-rate-limited");
    }

    [Fact]
    public async Task The_hourly_sweep_deletes_sessions_that_ended_and_nobody_reads_again_and_keeps_live_ones()
    {
        var (ended, _) = await SignInAsync(TestCallers.Auditor);
        var table = new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + Pki.Core.Storage.TableNames.Sessions);
        Assert.True((await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(SessionCookie.Hash(ended), "session")).HasValue);

        // Two hours on, that session's hour has passed; one opened now is live.
        host.Time.Advance(TimeSpan.FromHours(2));
        var (live, _) = await SignInAsync(TestCallers.Auditor);
        var deleted = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SessionService>(host.App.Services).SweepAsync();
        Assert.True(deleted >= 1, $"{deleted} deleted");
        Assert.False((await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(SessionCookie.Hash(ended), "session")).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(SessionCookie.Hash(live), "session")).HasValue);
        using (var stillLive = await SendAsync(HttpMethod.Get, "/api/session", live, csrf: null))
        {
            Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
        }

        // The index holds nothing of the swept hours any more; a second sweep finds nothing to do.
        Assert.Equal(0, await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SessionService>(host.App.Services).SweepAsync());
    }

    [Fact]
    public async Task A_state_changing_call_through_app_service_authentication_needs_the_csrf_token_of_its_session_cookie()
    {
        var serial = (await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("easyauth.internal", ["easyauth.internal"])), validityDays: 10)).GetProperty("serialNumber").GetString()!;

        // A second host on the same storage that trusts App Service's principal header, as in Azure behind Easy Auth.
        var app = await DevHostFixture.StartAsync(host.TablePrefix, host.RootId, host.IssuingId, ["--Pki:Access:TrustAppServicePrincipal=true"], null);
        try
        {
            var address = new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)));
            var principal = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"auth_typ":"aad","claims":[{"typ":"oid","val":"5f1e0c1a-entra-admin"},{"typ":"roles","val":"admin"}]}"""));
            var easyAuth = "easyauth-" + Guid.NewGuid().ToString("N");
            using var http = new HttpClient { BaseAddress = address };
            HttpRequestMessage Call(HttpMethod method, string path, string? cookie, string? csrf, string? authorization = null)
            {
                var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Get ? null : JsonBody("""{"reason":"superseded"}""") };
                request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principal);
                if (cookie is not null)
                {
                    request.Headers.Add("Cookie", $"AppServiceAuthSession={cookie}");
                }

                if (csrf is not null)
                {
                    request.Headers.Add(SessionCookie.CsrfHeader, csrf);
                }

                if (authorization is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                return request;
            }

            // The session answer gives the page the token of App Service's cookie, as it does for ours.
            using (var session = await http.SendAsync(Call(HttpMethod.Get, "/api/session", easyAuth, null)))
            {
                var who = await session.JsonAsync();
                Assert.True(session.StatusCode == HttpStatusCode.OK, who.ToString());
                Assert.Equal("app-service", who.GetProperty("authenticationMethod").GetString());
                Assert.Equal(SessionCookie.CsrfToken(easyAuth), who.GetProperty("csrfToken").GetString());
            }

            var revoke = $"/api/certificates/{serial}/revoke";
            using (var none = await http.SendAsync(Call(HttpMethod.Post, revoke, easyAuth, null)))
            {
                await none.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
            }

            using (var wrong = await http.SendAsync(Call(HttpMethod.Post, revoke, easyAuth, SessionCookie.CsrfToken("easyauth-another-session"))))
            {
                await wrong.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
            }

            using (var noCookie = await http.SendAsync(Call(HttpMethod.Post, revoke, null, SessionCookie.CsrfToken(easyAuth))))
            {
                await noCookie.AssertProblemAsync(HttpStatusCode.Forbidden, "csrf-token-required");
            }

            Assert.Equal("issued", (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("status").GetString());

            using (var accepted = await http.SendAsync(Call(HttpMethod.Post, revoke, easyAuth, SessionCookie.CsrfToken(easyAuth))))
            {
                Assert.True(accepted.StatusCode == HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
            }

            Assert.Equal("revoked", (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("status").GetString());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A client whose connections come from <paramref name="address"/> (a loopback address of its own), as another machine's would.</summary>
    private HttpClient FromAddress(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = host.BaseAddress };

    private async Task<(string Id, string Csrf)> SignInAsync(TestCaller caller)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.PostAsync("/api/session", JsonBody($$"""{"apiKey":"{{caller.Key}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0][(SessionCookie.Name.Length + 1)..];
        return (id, (await response.JsonAsync()).GetProperty("csrfToken").GetString()!);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string sessionId, string? csrf, string? json = null)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonBody(json) };
        request.Headers.Add("Cookie", $"{SessionCookie.Name}={sessionId}");
        if (csrf is not null)
        {
            request.Headers.Add(SessionCookie.CsrfHeader, csrf);
        }

        return await client.SendAsync(request);
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
