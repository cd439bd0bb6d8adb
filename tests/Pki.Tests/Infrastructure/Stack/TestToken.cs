namespace Pki.Tests.Infrastructure.Stack;

/// <summary>The SoftHSM2 token the tests sign with: the one given (PKI_TEST_PKCS11_LIBRARY, _TOKEN_LABEL, _USER_PIN) or a temporary one.</summary>
public sealed class TestToken : IDisposable
{
    private readonly Guard? _guard;

    private TestToken(string library, string label, string pin, string description, string? folder, Guard? guard)
    {
        Library = library;
        Label = label;
        UserPin = pin;
        Description = description;
        Folder = folder;
        _guard = guard;
    }

    public string Library { get; }

    public string Label { get; }

    public string UserPin { get; }

    public string Description { get; }

    /// <summary>The temporary token's folder (softhsm2.conf, tokens/), removed at the end; null for a given token.</summary>
    public string? Folder { get; }

    public bool Given => Folder is null;

    public static TestToken Choose(string? library, string? label, string? pin, string newLabel)
    {
        string?[] given = [library, label, pin];
        if (given.All(value => !string.IsNullOrEmpty(value)))
        {
            return new TestToken(library!, label!, pin!, $"token: the SoftHSM2 token '{label}' given in PKI_TEST_TOKEN_LABEL", null, null);
        }

        if (given.Any(value => !string.IsNullOrEmpty(value)))
        {
            throw new InvalidOperationException("PKI_TEST_PKCS11_LIBRARY, PKI_TEST_TOKEN_LABEL and PKI_TEST_USER_PIN go together: set all three, or none for a temporary token.");
        }

        Prerequisites.Ensure(SoftHsmToken.Installed, "SoftHSM2");
        var folder = Path.Combine(Path.GetTempPath(), "pki-tests-softhsm." + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var guard = Guard.Start(folder, []);
        try
        {
            var newPin = SoftHsmToken.Create(folder, newLabel);
            return new TestToken(SoftHsmToken.Library, newLabel, newPin, $"token: a temporary SoftHSM2 token '{newLabel}' in {folder}", folder, guard);
        }
        catch
        {
            guard.Dispose();
            throw;
        }
    }

    public void Dispose() => _guard?.Dispose();
}
