using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Key Vault enrollment with an external CA, as the REST reference (api-version 7.5) describes it:
/// <c>POST certificates/{name}/create</c> with a policy whose issuer is <c>Unknown</c> starts a pending operation
/// and answers 202 with it (its <c>csr</c> is the new key's PKCS#10, the key stays here);
/// <c>GET|PATCH|DELETE certificates/{name}/pending</c> read, cancel or delete it; <c>POST
/// certificates/{name}/pending/merge</c> with <c>x5c</c> (leaf first) makes the signed certificate the
/// certificate's new current version, 201. The operation stays readable after the merge with the status
/// <c>completed</c> (as the portal shows it) until the next create replaces it. A create while one is in progress
/// answers 409, a merge whose leaf does not carry the pending key 400, a merge or cancel of a completed operation 403
/// ("Pending status must be in progress"), and anything on an operation that does not exist 404.
/// </summary>
public sealed partial class KeyVaultDouble
{
    private readonly Dictionary<string, PendingOperation> _pending = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AsymmetricAlgorithm> _versionKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _deniedOperations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<byte[]>> _csrs = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _merged = new(StringComparer.OrdinalIgnoreCase);
    private int _throttleRemaining;
    private int _abortMerges;
    private bool _abortAfterMerging;
    private long _lastCreated;

    /// <summary>Refuses an enrollment operation ("create", "pending", "merge") with 403 ForbiddenByRbac, as for an identity without Key Vault Certificates Officer.</summary>
    public void Deny(string operation)
    {
        lock (_lock)
        {
            _deniedOperations.Add(operation);
        }
    }

    /// <summary>Lifts <see cref="Deny"/>: the role was granted.</summary>
    public void Allow(string operation)
    {
        lock (_lock)
        {
            _deniedOperations.Remove(operation);
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer 429 with Retry-After: 1.</summary>
    public void Throttle(int count) => Volatile.Write(ref _throttleRemaining, count);

    /// <summary>
    /// The next <paramref name="count"/> merges drop the connection without an answer: before merging, or (with
    /// <paramref name="afterMerging"/>) after the new version is stored, as when the caller's process dies mid-call.
    /// </summary>
    public void AbortMerges(int count, bool afterMerging)
    {
        lock (_lock)
        {
            _abortMerges = count;
            _abortAfterMerging = afterMerging;
        }
    }

    /// <summary>The CSR of the certificate's operation in progress, or null when none is.</summary>
    public byte[]? PendingCsr(string name)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(name, out var pending) && pending.InProgress ? pending.Csr : null;
        }
    }

    /// <summary>The DER of the certificate's current (newest) version, or null.</summary>
    public byte[]? CurrentDer(string name)
    {
        lock (_lock)
        {
            return _certificates.TryGetValue(name, out var versions) && versions.Count > 0 ? Latest(versions).Der : null;
        }
    }

    /// <summary>How many versions the certificate has (merged or added).</summary>
    public int VersionCount(string name)
    {
        lock (_lock)
        {
            return _certificates.TryGetValue(name, out var versions) ? versions.Count : 0;
        }
    }

    /// <summary>The SubjectPublicKeyInfo of the key the vault holds for a version (created here at enrollment).</summary>
    public byte[]? VersionPublicKey(string name, string version)
    {
        lock (_lock)
        {
            return _versionKeys.TryGetValue(name + "/" + version, out var key) ? key.ExportSubjectPublicKeyInfo() : null;
        }
    }

    /// <summary>How many merges the vault accepted (stored a version for) for a certificate.</summary>
    public int MergeCount(string name)
    {
        lock (_lock)
        {
            return _merged.TryGetValue(name, out var count) ? count : 0;
        }
    }

    /// <summary>Every CSR the vault made for a certificate, in order (one per created version).</summary>
    public IReadOnlyList<byte[]> Csrs(string name)
    {
        lock (_lock)
        {
            return _csrs.TryGetValue(name, out var csrs) ? [.. csrs] : [];
        }
    }

    /// <summary>Whether a certificate has an operation in progress (created, not merged, cancelled or deleted).</summary>
    public bool IsPending(string name)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(name, out var pending) && pending.InProgress;
        }
    }

    private async Task<bool> HandleEnrollmentAsync(HttpContext context, string[] segments, string body)
    {
        var method = context.Request.Method;
        switch (method, segments)
        {
            case ("POST", ["certificates", var name, "create"]):
                await CreateAsync(context, name, body);
                return true;
            case ("GET", ["certificates", var name, "pending"]):
                await PendingAsync(context, name, cancel: false, delete: false);
                return true;
            case ("PATCH", ["certificates", var name, "pending"]):
                await PendingAsync(context, name, cancel: true, delete: false);
                return true;
            case ("DELETE", ["certificates", var name, "pending"]):
                await PendingAsync(context, name, cancel: false, delete: true);
                return true;
            case ("POST", ["certificates", var name, "pending", "merge"]):
                await MergeAsync(context, name, body);
                return true;
            default:
                return false;
        }
    }

    private async Task CreateAsync(HttpContext context, string name, string body)
    {
        if (await RefusedAsync(context, "create", name, "certificates/create/action"))
        {
            return;
        }

        if (Parse(body) is not { } json || json["policy"] is not JsonObject policy)
        {
            await ErrorAsync(context, 400, "BadParameter", "The request body must be a JSON object with a policy.");
            return;
        }

        var issuer = (string?)policy["issuer"]?["name"];
        var keyProps = policy["key_props"] as JsonObject ?? [];
        var x509 = policy["x509_props"] as JsonObject ?? [];
        var kty = (string?)keyProps["kty"] ?? "RSA";
        var crv = (string?)keyProps["crv"];
        var size = (int?)keyProps["key_size"];
        var exportable = (bool?)keyProps["exportable"] ?? false;
        var reuse = (bool?)keyProps["reuse_key"] ?? false;
        var subject = (string?)x509["subject"];
        string? problem = (issuer, kty) switch
        {
            (not "Unknown", _) => $"The double enrolls only with the issuer 'Unknown' (an external CA); got '{issuer}'.",
            (_, "EC" or "EC-HSM") when crv is not ("P-256" or "P-384") => $"Curve '{crv}' is not supported.",
            (_, "RSA" or "RSA-HSM") when size is not (2048 or 3072 or 4096) => $"Key size {size} is not supported for RSA.",
            (_, "RSA-HSM" or "EC-HSM") when exportable => "HSM-protected keys cannot be exportable.",
            (_, "EC" or "EC-HSM" or "RSA" or "RSA-HSM") => null,
            _ => $"Key type '{kty}' is not supported.",
        };
        if (problem is null && string.IsNullOrWhiteSpace(subject))
        {
            problem = "x509_props.subject is required.";
        }

        if (problem is not null)
        {
            await ErrorAsync(context, 400, "BadParameter", problem);
            return;
        }

        PendingOperation operation;
        lock (_lock)
        {
            if (_pending.TryGetValue(name, out var existing) && existing.InProgress)
            {
                operation = null!;
            }
            else
            {
                AsymmetricAlgorithm? key = null;
                if (reuse && _certificates.TryGetValue(name, out var versions) && versions.Count > 0
                    && _versionKeys.TryGetValue(name + "/" + Latest(versions).Version, out var previous))
                {
                    key = previous;
                }

                key ??= kty.StartsWith("EC", StringComparison.Ordinal)
                    ? ECDsa.Create(crv == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256)
                    : RSA.Create(size!.Value);
                operation = new PendingOperation(Guid.NewGuid().ToString("N"), key, Csr(key, subject!, x509), policy);
                _pending[name] = operation;
                if (!_csrs.TryGetValue(name, out var csrs))
                {
                    _csrs[name] = csrs = [];
                }

                csrs.Add(operation.Csr);
            }
        }

        if (operation is null)
        {
            await ErrorAsync(context, 409, "Conflict", $"Certificate {name} has a pending operation; merge, cancel or delete it before creating a new version.");
            return;
        }

        context.Response.Headers.Location = $"{VaultUri}certificates/{name}/pending?api-version={context.Request.Query["api-version"]}&request_id={operation.RequestId}";
        await JsonAsync(context, 202, OperationJson(name, operation));
    }

    private async Task PendingAsync(HttpContext context, string name, bool cancel, bool delete)
    {
        if (await RefusedAsync(context, "pending", name, delete ? "certificates/delete" : cancel ? "certificates/update/action" : "certificates/read"))
        {
            return;
        }

        PendingOperation? operation;
        var completed = false;
        lock (_lock)
        {
            _pending.TryGetValue(name, out operation);
            if (operation is not null && cancel)
            {
                completed = !operation.InProgress;
                if (!completed)
                {
                    operation.CancellationRequested = true;
                }
            }

            if (operation is not null && delete)
            {
                _pending.Remove(name);
            }
        }

        if (operation is null)
        {
            await ErrorAsync(context, 404, "PendingCertificateNotFound", $"Pending certificate not found: {name}");
            return;
        }

        if (completed)
        {
            await ErrorAsync(context, 403, "Forbidden", "Pending status must be in progress to allow update.");
            return;
        }

        await JsonAsync(context, 200, OperationJson(name, operation));
    }

    private async Task MergeAsync(HttpContext context, string name, string body)
    {
        if (await RefusedAsync(context, "merge", name, "certificates/create/action"))
        {
            return;
        }

        if (Parse(body) is not { } json || json["x5c"] is not JsonArray { Count: > 0 } x5c)
        {
            await ErrorAsync(context, 400, "BadParameter", "x5c must hold the certificate and its chain, leaf first.");
            return;
        }

        byte[] leaf;
        try
        {
            leaf = Convert.FromBase64String((string?)x5c[0] ?? "");
            using var parsed = X509CertificateLoader.LoadCertificate(leaf);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            await ErrorAsync(context, 400, "BadParameter", "x5c[0] is not a base64 DER certificate.");
            return;
        }

        bool abortBefore, abortAfter;
        lock (_lock)
        {
            abortBefore = _abortMerges > 0 && !_abortAfterMerging;
            abortAfter = _abortMerges > 0 && _abortAfterMerging;
            if (_abortMerges > 0)
            {
                _abortMerges--;
            }
        }

        if (abortBefore)
        {
            context.Abort();
            return;
        }

        string? problem = null;
        string? version = null;
        lock (_lock)
        {
            if (!_pending.TryGetValue(name, out var operation))
            {
                problem = "none";
            }
            else if (!operation.InProgress)
            {
                problem = "completed";
            }
            else
            {
                using var parsed = X509CertificateLoader.LoadCertificate(leaf);
                var spki = parsed.PublicKey.ExportSubjectPublicKeyInfo();
                if (!spki.AsSpan().SequenceEqual(operation.Key.ExportSubjectPublicKeyInfo()))
                {
                    problem = "Public key from x5c[0] does not match the pending certificate's key.";
                }
                else
                {
                    version = Guid.NewGuid().ToString("N");
                    var created = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), _lastCreated + 1);
                    _lastCreated = created;
                    if (!_certificates.TryGetValue(name, out var versions))
                    {
                        _certificates[name] = versions = [];
                    }

                    versions.Add(new StoredVersion(version, leaf, true, created, created));
                    _versionKeys[name + "/" + version] = operation.Key;
                    operation.Target = $"{VaultUri}certificates/{name}/{version}";
                    _merged[name] = _merged.GetValueOrDefault(name) + 1;
                }
            }
        }

        if (problem == "none")
        {
            await ErrorAsync(context, 404, "PendingCertificateNotFound", $"Pending certificate not found: {name}");
            return;
        }

        if (problem == "completed")
        {
            await ErrorAsync(context, 403, "Forbidden", "Pending status must be in progress to allow merge.");
            return;
        }

        if (problem is not null)
        {
            await ErrorAsync(context, 400, "BadParameter", problem);
            return;
        }

        if (abortAfter)
        {
            context.Abort();
            return;
        }

        await GetCertificateStatusAsync(context, name, version!, 201);
    }

    private async Task GetCertificateStatusAsync(HttpContext context, string name, string version, int status)
    {
        StoredVersion stored;
        lock (_lock)
        {
            stored = _certificates[name].First(v => v.Version == version);
        }

        await JsonAsync(context, status, new JsonObject
        {
            ["id"] = $"{VaultUri}certificates/{name}/{stored.Version}",
            ["kid"] = $"{VaultUri}keys/{name}/{stored.Version}",
            ["sid"] = $"{VaultUri}secrets/{name}/{stored.Version}",
            ["x5t"] = Thumbprint(stored.Der),
            ["cer"] = Convert.ToBase64String(stored.Der),
            ["attributes"] = Attributes(stored),
        });
    }

    private async Task<bool> RefusedAsync(HttpContext context, string operation, string name, string action)
    {
        if (name.Length > 127 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            await ErrorAsync(context, 400, "BadParameter", $"The certificate name '{name}' is not valid.");
            return true;
        }

        bool denied;
        lock (_lock)
        {
            denied = _deniedOperations.Contains(operation);
        }

        if (!denied)
        {
            return false;
        }

        await JsonAsync(context, 403, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "Forbidden",
                ["message"] = $"Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/{action}'",
                ["innererror"] = new JsonObject { ["code"] = "ForbiddenByRbac" },
            },
        });
        return true;
    }

    private JsonObject OperationJson(string name, PendingOperation operation)
    {
        var json = new JsonObject
        {
            ["id"] = $"{VaultUri}certificates/{name}/pending",
            ["issuer"] = new JsonObject { ["name"] = "Unknown" },
            ["csr"] = Convert.ToBase64String(operation.Csr),
            ["cancellation_requested"] = operation.CancellationRequested,
            ["status"] = operation.InProgress ? "inProgress" : "completed",
            ["status_details"] = operation.InProgress ? "Pending certificate created. Please Perform Merge to complete the request." : null,
            ["request_id"] = operation.RequestId,
        };
        if (operation.Target is { } target)
        {
            json["target"] = target;
        }

        return json;
    }

    /// <summary>The PKCS#10 Key Vault makes for the policy: its subject, SANs and EKUs, signed by the new key.</summary>
    private static byte[] Csr(AsymmetricAlgorithm key, string subject, JsonObject x509)
    {
        var name = new X500DistinguishedName(subject);
        var request = key is ECDsa ec
            ? new CertificateRequest(name, ec, HashAlgorithmName.SHA256)
            : new CertificateRequest(name, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (x509["sans"]?["dns_names"] is JsonArray dns && dns.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dns)
            {
                san.AddDnsName((string)d!);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        if (x509["ekus"] is JsonArray ekus && ekus.Count > 0)
        {
            var oids = new OidCollection();
            foreach (var e in ekus)
            {
                oids.Add(new Oid((string)e!));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }

        return request.CreateSigningRequest();
    }

    private static JsonObject? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class PendingOperation(string requestId, AsymmetricAlgorithm key, byte[] csr, JsonObject policy)
    {
        public string RequestId { get; } = requestId;

        public AsymmetricAlgorithm Key { get; } = key;

        public byte[] Csr { get; } = csr;

        public JsonObject Policy { get; } = policy;

        public bool CancellationRequested { get; set; }

        /// <summary>The merged version's id once merged; the operation is then completed.</summary>
        public string? Target { get; set; }

        public bool InProgress => Target is null;
    }
}
