using System.Diagnostics;
using Azure.Data.Tables;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Stack;

namespace Pki.Tests.Integration.Tooling;

/// <summary>
/// How the tests choose their storage and token: the connection string given, else an Azurite container where a
/// Docker engine answers, else npm Azurite from local/. The container path itself cannot run on machines without
/// Docker; these tests hold the choice around it on any machine by pointing it at an engine that is not there.
/// </summary>
public sealed class TestStackTests
{
    // A Docker endpoint where nothing listens, on any machine.
    private static readonly string NoEngine = "unix://" + Path.Combine(Path.GetTempPath(), "pki-tests-no-docker-" + Guid.NewGuid().ToString("N")[..8], "docker.sock");

    [Fact]
    public async Task A_given_connection_string_is_used_as_it_is_and_nothing_is_started()
    {
        var folder = NewFolder();
        const string given = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

        using var storage = await TestStorage.ChooseAsync(given, NoEngine, folder);

        Assert.Equal(StorageSource.Given, storage.Source);
        Assert.Equal(given, storage.ConnectionString);
        Assert.Null(storage.DockerFailure);
        Assert.Null(storage.Npm);
        Assert.Contains("PKI_TEST_STORAGE", storage.Description);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task The_container_path_reports_a_Docker_engine_that_does_not_answer_and_starts_nothing()
    {
        var (container, connectionString, failure) = await AzuriteContainer.TryStartAsync(NoEngine);

        Assert.Null(container);
        Assert.Null(connectionString);
        Assert.NotNull(failure);
        Assert.Contains("Docker engine at " + NoEngine, failure);
    }

    [Fact]
    public async Task Without_Docker_Testcontainers_own_detection_reports_no_engine()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock"))
        {
            return; // A machine with Docker: the container path is the one taken there, and this case does not arise.
        }

        var (container, _, failure) = await AzuriteContainer.TryStartAsync(null);

        Assert.Null(container);
        Assert.StartsWith("no Docker engine answers", failure);
    }

    [Fact]
    public async Task Without_a_Docker_engine_the_fixture_falls_back_to_npm_Azurite_says_why_and_removes_it_at_the_end()
    {
        var folder = NewFolder();

        var storage = await TestStorage.ChooseAsync(null, NoEngine, folder);
        int pid;
        try
        {
            Assert.Equal(StorageSource.NpmAzurite, storage.Source);
            Assert.Contains("Docker engine at " + NoEngine, storage.DockerFailure);
            Assert.Contains("npm Azurite from local/", storage.Description);
            Assert.Contains("because " + storage.DockerFailure, storage.Description);
            Assert.NotNull(storage.Npm);
            pid = storage.Npm.ProcessId;
            Assert.True(Directory.Exists(folder));

            var table = new TableClient(storage.ConnectionString, TestEnvironment.UniqueId("fallback"));
            await table.CreateAsync();
            await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 });
            Assert.Equal(42, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("Value"));
        }
        finally
        {
            storage.Dispose();
        }

        Assert.False(ProcessAlive(pid));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Npm_Azurite_is_stopped_and_its_folder_removed_when_the_process_that_started_it_is_gone()
    {
        var folder = NewFolder();
        using var owner = Process.Start("sleep", "60");

        using var azurite = NpmAzurite.Start(folder, owner.Id);
        Assert.True(ProcessAlive(azurite.ProcessId));
        owner.Kill();
        await owner.WaitForExitAsync();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((ProcessAlive(azurite.ProcessId) || Directory.Exists(folder)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(ProcessAlive(azurite.ProcessId));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void The_process_wide_choice_follows_the_environment_and_says_which_it_is()
    {
        var storage = TestStack.Storage;
        if (Environment.GetEnvironmentVariable("PKI_TEST_STORAGE") is { Length: > 0 } given)
        {
            Assert.Equal(StorageSource.Given, storage.Source);
            Assert.Equal(given, storage.ConnectionString);
        }
        else
        {
            Assert.NotEqual(StorageSource.Given, storage.Source);
            Assert.Equal(storage.Source == StorageSource.NpmAzurite, storage.DockerFailure is not null);
            Assert.Contains(storage.Source == StorageSource.NpmAzurite ? "npm Azurite" : "Testcontainers", storage.Description);
        }

        var token = TestStack.Token;
        if (Environment.GetEnvironmentVariable("PKI_TEST_TOKEN_LABEL") is { Length: > 0 } label)
        {
            Assert.True(token.Given);
            Assert.Equal(label, token.Label);
        }
        else
        {
            Assert.False(token.Given);
            Assert.Equal(TestStack.TokenLabel, token.Label);
            Assert.Equal(Path.Combine(token.Folder!, "softhsm2.conf"), Environment.GetEnvironmentVariable("SOFTHSM2_CONF"));
            Assert.True(File.Exists(Environment.GetEnvironmentVariable("SOFTHSM2_CONF")));
        }
    }

    [Fact]
    public void A_token_given_in_part_is_an_error_naming_the_three_variables()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestToken.Choose(SoftHsmToken.Library, "pki-test", null, "unused"));

        Assert.Contains("PKI_TEST_USER_PIN", error.Message);
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "pki-tests-choice." + Guid.NewGuid().ToString("N")[..8]);

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
