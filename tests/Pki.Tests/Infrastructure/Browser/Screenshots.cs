namespace Pki.Tests.Infrastructure.Browser;

/// <summary>Where the browser tests save a screenshot of each screen: TestResults/dashboard under the repository (PKI_TEST_ARTIFACTS overrides).</summary>
public static class Screenshots
{
    public static string Folder { get; } = Create();

    public static string PathFor(string name) => System.IO.Path.Combine(Folder, name + ".png");

    private static string Create()
    {
        var root = Environment.GetEnvironmentVariable("PKI_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(RepoPaths.Root, "TestResults");
        return Directory.CreateDirectory(System.IO.Path.Combine(root, "dashboard")).FullName;
    }
}
