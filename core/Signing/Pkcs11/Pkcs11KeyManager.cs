using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Org.BouncyCastle.Asn1;

namespace Pki.Core.Signing.Pkcs11;

/// <summary>
/// Keys inside a PKCS#11 token (SoftHSM2 locally, a network HSM in production). Private keys are
/// generated in the token as sensitive and non-extractable; only signatures leave it.
/// </summary>
public sealed class Pkcs11KeyManager : IKeyManager, IDisposable
{
    private readonly Pkcs11InteropFactories _factories = new();
    private readonly IPkcs11Library _library;
    private readonly ISlot _slot;
    private readonly ISession _loginSession;
    private readonly Pkcs11Options _options;
    private readonly ILogger<Pkcs11KeyManager> _logger;
    private readonly ConcurrentBag<ISession> _idle = new();
    private readonly SemaphoreSlim _sessionSlots;
    private readonly ConcurrentDictionary<string, IObjectHandle> _privateKeys = new(StringComparer.Ordinal);
    // SoftHSM2's file object store fails (CKR_GENERAL_ERROR) when a key pair is written while other
    // sessions search or sign; creating keys is rare, so it excludes everything else and signing stays parallel.
    private const int LoginAttempts = 6;
    private readonly ReaderWriterLockSlim _storeLock = new(LockRecursionPolicy.SupportsRecursion);

    public Pkcs11KeyManager(IOptions<Pkcs11Options> options, ILogger<Pkcs11KeyManager> logger)
    {
        _options = options.Value;
        _logger = logger;
        NativeLibraries.EnsureResolver();
        _library = _factories.Pkcs11LibraryFactory.LoadPkcs11Library(_factories, _options.LibraryPath, AppType.MultiThreaded);
        try
        {
            var slots = _library.GetSlotList(SlotsType.WithTokenPresent)
                .Where(s => s.GetTokenInfo().Label.Trim() == _options.TokenLabel)
                .ToList();
            _slot = slots.Count switch
            {
                1 => slots[0],
                0 => throw new InvalidOperationException(
                    $"No PKCS#11 token labelled '{_options.TokenLabel}' in {_options.LibraryPath} (setting Pki:Signing:Pkcs11:TokenLabel)."),
                _ => throw new InvalidOperationException(
                    $"{slots.Count} PKCS#11 tokens are labelled '{_options.TokenLabel}' in {_options.LibraryPath}; the CA keys must be in exactly one."),
            };

            // Login state belongs to the application while any session is open; this one stays open.
            _loginSession = _slot.OpenSession(SessionType.ReadWrite);
            EnsureLoggedIn(_loginSession);
        }
        catch
        {
            _library.Dispose();
            throw;
        }

        _sessionSlots = new SemaphoreSlim(Math.Max(1, _options.MaxSessions));
    }

    public string Provider => KeyUri.Pkcs11Scheme;

    public Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var label = LabelOf(request.KeyUri);
        _storeLock.EnterWriteLock();
        try
        {
            return Task.FromResult(WithSession(session =>
            {
                if (FindPrivateKey(session, label) is not null)
                {
                    throw new KeyAlreadyExistsException(request.KeyUri);
                }

                // A CA key only signs: every other use is switched off here, not left to the token's defaults
                // (SoftHSM2, for one, lets a new private key decrypt and unwrap unless told otherwise).
                var id = RandomNumberGenerator.GetBytes(16);
                var publicTemplate = new List<IObjectAttribute>
                {
                    Attr(CKA.CKA_TOKEN, true),
                    Attr(CKA.CKA_PRIVATE, false),
                    Attr(CKA.CKA_VERIFY, true),
                    Attr(CKA.CKA_VERIFY_RECOVER, false),
                    Attr(CKA.CKA_ENCRYPT, false),
                    Attr(CKA.CKA_WRAP, false),
                    Attr(CKA.CKA_DERIVE, false),
                    Attr(CKA.CKA_LABEL, label),
                    Attr(CKA.CKA_ID, id),
                };
                var privateTemplate = new List<IObjectAttribute>
                {
                    Attr(CKA.CKA_TOKEN, true),
                    Attr(CKA.CKA_PRIVATE, true),
                    Attr(CKA.CKA_SENSITIVE, true),
                    Attr(CKA.CKA_EXTRACTABLE, false),
                    Attr(CKA.CKA_SIGN, true),
                    Attr(CKA.CKA_SIGN_RECOVER, false),
                    Attr(CKA.CKA_DECRYPT, false),
                    Attr(CKA.CKA_UNWRAP, false),
                    Attr(CKA.CKA_DERIVE, false),
                    Attr(CKA.CKA_LABEL, label),
                    Attr(CKA.CKA_ID, id),
                };

                CKM mechanism;
                if (request.Algorithm.IsEc())
                {
                    mechanism = CKM.CKM_EC_KEY_PAIR_GEN;
                    publicTemplate.Add(Attr(CKA.CKA_EC_PARAMS, PublicKeys.CurveOid(request.Algorithm).GetDerEncoded()));
                }
                else
                {
                    mechanism = CKM.CKM_RSA_PKCS_KEY_PAIR_GEN;
                    publicTemplate.Add(Attr(CKA.CKA_MODULUS_BITS, (ulong)request.Algorithm.RsaBits()));
                    publicTemplate.Add(Attr(CKA.CKA_PUBLIC_EXPONENT, new byte[] { 0x01, 0x00, 0x01 }));
                }

                session.GenerateKeyPair(_factories.MechanismFactory.Create(mechanism), publicTemplate, privateTemplate, out var publicKey, out _);
                _logger.LogInformation("Created {KeyAlgorithm} key {KeyUri} in PKCS#11 token {TokenLabel}", request.Algorithm, request.KeyUri, _options.TokenLabel);
                return Describe(session, request.KeyUri, publicKey);
            }));
        }
        finally
        {
            _storeLock.ExitWriteLock();
        }
    }

    public Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var label = LabelOf(request.KeyUri);
        return Task.FromResult(WithSession(session =>
        {
            var privateKey = FindPrivateKey(session, label);
            return privateKey is null ? null : Describe(session, request.KeyUri, PublicKeyOf(session, label, privateKey));
        }));
    }

    public async Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await GetPublicKeyAsync(new GetPublicKeyRequest(request.KeyUri), cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Key {request.KeyUri} does not exist in the token.");
        if (!key.Algorithm.Supports(request.Scheme))
        {
            throw new ArgumentException($"Scheme {request.Scheme} does not fit a {key.Algorithm} key.", nameof(request));
        }

        return new Pkcs11Signer(this, key, request.Scheme);
    }

    /// <summary>Reads the key's protection flags; used by tests to prove the key cannot leave the token.</summary>
    public (bool Sensitive, bool Extractable) GetPrivateKeyProtection(KeyUri keyUri) => WithSession(session =>
    {
        var handle = PrivateKey(session, LabelOf(keyUri));
        var attrs = session.GetAttributeValue(handle, [CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE]);
        return (attrs[0].GetValueAsBool(), attrs[1].GetValueAsBool());
    });

    /// <summary>Reads boolean attributes of the key pair (the private key, or its public key); used by tests to prove what the keys may be used for.</summary>
    public IReadOnlyDictionary<CKA, bool> GetKeyFlags(KeyUri keyUri, CKO keyClass, IReadOnlyList<CKA> attributes) => WithSession(session =>
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var label = LabelOf(keyUri);
        var privateKey = PrivateKey(session, label);
        var handle = keyClass switch
        {
            CKO.CKO_PRIVATE_KEY => privateKey,
            CKO.CKO_PUBLIC_KEY => PublicKeyOf(session, label, privateKey),
            _ => throw new ArgumentOutOfRangeException(nameof(keyClass), keyClass, "A key pair has a private and a public key."),
        };
        var values = session.GetAttributeValue(handle, [.. attributes]);
        return attributes.Zip(values).ToDictionary(p => p.First, p => p.Second.GetValueAsBool());
    });

    /// <summary>Tries to read the private value; a token that protects the key refuses.</summary>
    public byte[]? TryReadPrivateValue(KeyUri keyUri) => WithSession(session =>
    {
        var handle = PrivateKey(session, LabelOf(keyUri));
        try
        {
            var attrs = session.GetAttributeValue(handle, [CKA.CKA_VALUE, CKA.CKA_PRIVATE_EXPONENT]);
            return attrs.Where(a => !a.CannotBeRead).Select(a => a.GetValueAsByteArray()).FirstOrDefault(v => v is { Length: > 0 });
        }
        catch (Pkcs11Exception)
        {
            return null;
        }
    });

    private byte[] Sign(KeyDescription key, SignatureScheme scheme, ReadOnlySpan<byte> data)
    {
        var label = LabelOf(key.KeyUri);
        var input = data.ToArray();
        return WithSession(session =>
        {
            var handle = PrivateKey(session, label);
            switch (scheme)
            {
                case SignatureScheme.EcdsaSha256:
                case SignatureScheme.EcdsaSha384:
                    // CKM_ECDSA signs a hash we compute and returns raw r||s.
                    var hash = scheme == SignatureScheme.EcdsaSha256 ? SHA256.HashData(input) : SHA384.HashData(input);
                    var raw = session.Sign(_factories.MechanismFactory.Create(CKM.CKM_ECDSA), handle, hash);
                    return EcdsaSignatureEncoding.RawToDer(raw);
                case SignatureScheme.RsaPkcs1Sha256:
                    return session.Sign(_factories.MechanismFactory.Create(CKM.CKM_SHA256_RSA_PKCS), handle, input);
                case SignatureScheme.RsaPssSha256:
                    var pss = _factories.MechanismParamsFactory.CreateCkRsaPkcsPssParams(
                        ConvertUtils.UInt64FromCKM(CKM.CKM_SHA256), ConvertUtils.UInt64FromCKG(CKG.CKG_MGF1_SHA256), 32);
                    return session.Sign(_factories.MechanismFactory.Create(CKM.CKM_SHA256_RSA_PKCS_PSS, pss), handle, input);
                default:
                    throw new NotSupportedException($"Scheme {scheme} is not supported.");
            }
        });
    }

    private IObjectHandle PrivateKey(ISession session, string label)
    {
        if (_privateKeys.TryGetValue(label, out var cached))
        {
            return cached;
        }

        var found = FindPrivateKey(session, label)
            ?? throw new KeyNotFoundException($"No private key labelled '{label}' in token '{_options.TokenLabel}'.");
        return _privateKeys.GetOrAdd(label, found);
    }

    /// <summary>The one private key with this label; two would make the key URI ambiguous, so that is an error, not a guess.</summary>
    private IObjectHandle? FindPrivateKey(ISession session, string label)
    {
        var found = FindObjects(session, label, CKO.CKO_PRIVATE_KEY);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"{found.Count} private keys are labelled '{label}' in token '{_options.TokenLabel}'; remove the duplicates."),
        };
    }

    /// <summary>The public key paired with a private key by CKA_ID, so a stray object with the same label is never used.</summary>
    private IObjectHandle PublicKeyOf(ISession session, string label, IObjectHandle privateKey)
    {
        var id = session.GetAttributeValue(privateKey, [CKA.CKA_ID])[0].GetValueAsByteArray();
        var found = session.FindAllObjects([Attr(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY), Attr(CKA.CKA_LABEL, label), Attr(CKA.CKA_ID, id)]);
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"Private key '{label}' has {found.Count} public keys with its CKA_ID in token '{_options.TokenLabel}'; expected one.");
    }

    private void EnsureLoggedIn(ISession session)
    {
        if (session.GetSessionInfo().State is CKS.CKS_RW_USER_FUNCTIONS or CKS.CKS_RO_USER_FUNCTIONS)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                session.Login(CKU.CKU_USER, _options.UserPin);
                return;
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                return;
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_GENERAL_ERROR && attempt < LoginAttempts)
            {
                // SoftHSM2 rewrites its token file on every login; two hosts logging in at once can read it half
                // written. Another process's write is over within milliseconds.
                _logger.LogWarning("Login to token {TokenLabel} failed with {ReturnValue} (attempt {Attempt}); retrying", _options.TokenLabel, e.RV, attempt);
                Thread.Sleep(TimeSpan.FromMilliseconds((50 << attempt) + Random.Shared.Next(50)));
            }
        }
    }

    /// <summary>Logs the application out of the token, as an HSM restart would; tests prove recovery with it.</summary>
    internal void LogoutForTesting() => WithSession(session =>
    {
        session.Logout();
        return 0;
    });

    private KeyDescription Describe(ISession session, KeyUri uri, IObjectHandle publicKey)
    {
        var type = session.GetAttributeValue(publicKey, [CKA.CKA_KEY_TYPE])[0].GetValueAsUlong();
        if (type == (ulong)CKK.CKK_EC)
        {
            var attrs = session.GetAttributeValue(publicKey, [CKA.CKA_EC_PARAMS, CKA.CKA_EC_POINT]);
            var curve = (DerObjectIdentifier)Asn1Object.FromByteArray(attrs[0].GetValueAsByteArray());
            var algorithm = PublicKeys.AlgorithmOfCurve(curve) ?? throw new NotSupportedException($"Curve {curve} of key {uri} is not supported.");
            var point = attrs[1].GetValueAsByteArray();

            // PKCS#11 says CKA_EC_POINT is a DER OCTET STRING; some modules return the bare point.
            if (point.Length != 1 + (2 * PublicKeys.FieldSizeBytes(algorithm)))
            {
                point = Asn1OctetString.GetInstance(point).GetOctets();
            }

            return new KeyDescription(uri, algorithm, PublicKeys.FromEcPoint(algorithm, point));
        }

        if (type == (ulong)CKK.CKK_RSA)
        {
            var attrs = session.GetAttributeValue(publicKey, [CKA.CKA_MODULUS, CKA.CKA_PUBLIC_EXPONENT]);
            var spki = PublicKeys.FromRsa(attrs[0].GetValueAsByteArray(), attrs[1].GetValueAsByteArray());
            var algorithm = PublicKeys.Identify(spki) ?? throw new NotSupportedException($"RSA key size of {uri} is not supported.");
            return new KeyDescription(uri, algorithm, spki);
        }

        throw new NotSupportedException($"Key type {type} of {uri} is not supported.");
    }

    private List<IObjectHandle> FindObjects(ISession session, string label, CKO objectClass) =>
        session.FindAllObjects([Attr(CKA.CKA_CLASS, objectClass), Attr(CKA.CKA_LABEL, label)]);

    private T WithSession<T>(Func<ISession, T> action)
    {
        var writer = _storeLock.IsWriteLockHeld;
        if (!writer)
        {
            _storeLock.EnterReadLock();
        }

        try
        {
            return WithPooledSession(action);
        }
        finally
        {
            if (!writer)
            {
                _storeLock.ExitReadLock();
            }
        }
    }

    private T WithPooledSession<T>(Func<ISession, T> action)
    {
        _sessionSlots.Wait();
        ISession? session = null;
        var healthy = true;
        try
        {
            if (!_idle.TryTake(out session))
            {
                session = _slot.OpenSession(SessionType.ReadWrite);
            }

            EnsureLoggedIn(session);
            try
            {
                return action(session);
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID)
            {
                // The token lost our login or our key handles (an HSM restart): log in, find the keys again, retry once.
                _logger.LogWarning("PKCS#11 token {TokenLabel} answered {Result}; logging in and looking keys up again", _options.TokenLabel, e.RV);
                _privateKeys.Clear();
                EnsureLoggedIn(session);
                return action(session);
            }
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_DEVICE_ERROR or CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT)
        {
            healthy = false;
            _privateKeys.Clear();
            throw;
        }
        finally
        {
            if (session is not null)
            {
                if (healthy)
                {
                    _idle.Add(session);
                }
                else
                {
                    session.Dispose();
                }
            }

            _sessionSlots.Release();
        }
    }

    private string LabelOf(KeyUri uri)
    {
        if (uri.Scheme != KeyUri.Pkcs11Scheme)
        {
            throw new ArgumentException($"Key URI {uri} is not a pkcs11 URI.", nameof(uri));
        }

        if (uri["token"] != _options.TokenLabel)
        {
            throw new ArgumentException($"Key URI {uri} names token '{uri["token"]}', but the configured token is '{_options.TokenLabel}'.", nameof(uri));
        }

        return uri["object"];
    }

    private IObjectAttribute Attr(CKA type, bool value) => _factories.ObjectAttributeFactory.Create(type, value);

    private IObjectAttribute Attr(CKA type, string value) => _factories.ObjectAttributeFactory.Create(type, value);

    private IObjectAttribute Attr(CKA type, byte[] value) => _factories.ObjectAttributeFactory.Create(type, value);

    private IObjectAttribute Attr(CKA type, ulong value) => _factories.ObjectAttributeFactory.Create(type, value);

    private IObjectAttribute Attr(CKA type, CKO value) => _factories.ObjectAttributeFactory.Create(type, value);

    public void Dispose()
    {
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }

        _loginSession.Dispose();
        _library.Dispose();
        _sessionSlots.Dispose();
        _storeLock.Dispose();
    }

    private sealed class Pkcs11Signer(Pkcs11KeyManager owner, KeyDescription key, SignatureScheme scheme) : ISigner
    {
        public KeyDescription Key { get; } = key;

        public SignatureScheme Scheme { get; } = scheme;

        public byte[] Sign(ReadOnlySpan<byte> data) => owner.Sign(Key, Scheme, data);
    }
}
