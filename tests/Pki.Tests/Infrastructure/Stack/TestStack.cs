namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// The process-wide storage and SoftHSM2 token every test uses, each chosen once, on first use, and stopped when
/// the test process exits. A given environment (local/test's PKI_TEST_*) wins; otherwise the fixture starts its own,
/// so `dotnet test` alone runs the whole suite. Each choice is written to the test output.
/// </summary>
public static class TestStack
{
    public const string TokenLabel = "pki-test";

    private static readonly Lazy<TestStorage> StorageValue = new(StartStorage, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<TestToken> TokenValue = new(StartToken, LazyThreadSafetyMode.ExecutionAndPublication);

    public static TestStorage Storage => StorageValue.Value;

    public static TestToken Token => TokenValue.Value;

    private static TestStorage StartStorage()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pki-tests-azurite." + Guid.NewGuid().ToString("N")[..8]);
        var storage = Task.Run(() => TestStorage.ChooseAsync(Environment.GetEnvironmentVariable("PKI_TEST_STORAGE"), null, folder)).GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => storage.Dispose();
        Report(storage.Description);
        return storage;
    }

    private static TestToken StartToken()
    {
        var token = TestToken.Choose(
            Environment.GetEnvironmentVariable("PKI_TEST_PKCS11_LIBRARY"),
            Environment.GetEnvironmentVariable("PKI_TEST_TOKEN_LABEL"),
            Environment.GetEnvironmentVariable("PKI_TEST_USER_PIN"),
            TokenLabel);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => token.Dispose();
        Report(token.Description);
        return token;
    }

    /// <summary>Set by <see cref="ReportingTestFramework"/>: xunit's diagnostic messages, which `dotnet test` prints at its default verbosity.</summary>
    public static Action<string>? Diagnostics { get; set; }

    /// <summary>
    /// Once per choice: through xunit's diagnostic messages (shown by `dotnet test` at its default verbosity) and to
    /// the test host's standard error (shown with `-v n`).
    /// </summary>
    private static void Report(string line)
    {
        Diagnostics?.Invoke("[Pki.Tests] " + line);
        Console.Error.WriteLine("[Pki.Tests] " + line);
    }
}
