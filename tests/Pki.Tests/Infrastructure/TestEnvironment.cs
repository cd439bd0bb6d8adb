namespace Pki.Tests.Infrastructure;

/// <summary>
/// The real local components local/test starts: Azurite and a SoftHSM2 token. Tests that need them
/// fail with this message, rather than pass vacuously, when run outside local/test.
/// </summary>
public static class TestEnvironment
{
    public static string StorageConnectionString => Require("PKI_TEST_STORAGE");

    public static string Pkcs11Library => Require("PKI_TEST_PKCS11_LIBRARY");

    public static string TokenLabel => Require("PKI_TEST_TOKEN_LABEL");

    public static string UserPin => Require("PKI_TEST_USER_PIN");

    public static string UniqueId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with local/test, which starts Azurite and a SoftHSM2 token.");
}
