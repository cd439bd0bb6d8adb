namespace Pki.Tests.Infrastructure;

/// <summary>Where the other projects' build outputs are, relative to this test assembly's.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding Serverless.sln, found above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// A file in another project's output folder. The test assembly's folder (bin/CONFIGURATION/FRAMEWORK)
    /// mirrors it, since one solution build builds them all.
    /// </summary>
    public static string BuildOutput(string projectFolder, string file)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        return Path.Combine(Root, projectFolder, "bin", output.Parent!.Name, output.Name, file);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
