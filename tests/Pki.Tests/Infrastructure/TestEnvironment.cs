using Pki.Tests.Infrastructure.Stack;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// The real local components the tests run against: Azurite and a SoftHSM2 token. local/test gives them in
/// PKI_TEST_*; without them <see cref="TestStack"/> starts its own (an Azurite container where Docker answers, npm
/// Azurite otherwise, and a temporary token), so `dotnet test` alone works too.
/// </summary>
public static class TestEnvironment
{
    public static string StorageConnectionString => TestStack.Storage.ConnectionString;

    public static string Pkcs11Library => TestStack.Token.Library;

    public static string TokenLabel => TestStack.Token.Label;

    public static string UserPin => TestStack.Token.UserPin;

    public static string UniqueId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];
}
