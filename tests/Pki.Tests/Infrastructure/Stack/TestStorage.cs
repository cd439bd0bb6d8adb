using DotNet.Testcontainers.Containers;

namespace Pki.Tests.Infrastructure.Stack;

public enum StorageSource
{
    /// <summary>The connection string the run was given (PKI_TEST_STORAGE, as local/test sets it).</summary>
    Given,

    /// <summary>An Azurite container started through Testcontainers on a Docker engine.</summary>
    Container,

    /// <summary>npm Azurite from local/, started by the fixture because no Docker engine answered.</summary>
    NpmAzurite,
}

/// <summary>
/// The storage the tests run against, chosen in this order: the connection string given; an Azurite container when
/// a Docker engine answers; npm Azurite from local/ otherwise. What it started, it stops on disposal.
/// </summary>
public sealed class TestStorage : IDisposable
{
    private readonly IContainer? _container;
    private readonly NpmAzurite? _npm;

    private TestStorage(StorageSource source, string connectionString, string description, string? dockerFailure, IContainer? container, NpmAzurite? npm)
    {
        Source = source;
        ConnectionString = connectionString;
        Description = description;
        DockerFailure = dockerFailure;
        _container = container;
        _npm = npm;
    }

    public StorageSource Source { get; }

    public string ConnectionString { get; }

    /// <summary>One line saying which storage this is and, for npm Azurite, why the container was not used.</summary>
    public string Description { get; }

    /// <summary>Why the Testcontainers path was not taken; null when it was, or when a connection string was given.</summary>
    public string? DockerFailure { get; }

    /// <summary>The npm Azurite this started, if it did.</summary>
    public NpmAzurite? Npm => _npm;

    /// <param name="given">A connection string to use as it is (null or empty: none).</param>
    /// <param name="dockerEndpoint">The Docker engine to try; null lets Testcontainers find one (DOCKER_HOST, the socket, ~/.testcontainers.properties).</param>
    /// <param name="folder">Where npm Azurite keeps its state if it is started; removed when it stops.</param>
    public static async Task<TestStorage> ChooseAsync(string? given, string? dockerEndpoint, string folder)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return new TestStorage(StorageSource.Given, given, "storage: the connection string in PKI_TEST_STORAGE", null, null, null);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (container, connectionString, failure) = await AzuriteContainer.TryStartAsync(dockerEndpoint, timeout.Token);
        if (container is not null)
        {
            return new TestStorage(StorageSource.Container, connectionString!,
                $"storage: Azurite container {AzuriteContainer.Image} ({container.Id[..12]}) through Testcontainers", null, container, null);
        }

        Prerequisites.Ensure(File.Exists(NpmAzurite.AzuriteBin), "npm Azurite");
        var npm = NpmAzurite.Start(folder);
        return new TestStorage(StorageSource.NpmAzurite, npm.StorageConnectionString,
            $"storage: npm Azurite from local/ (pid {npm.ProcessId}, tables on 127.0.0.1:{npm.TablePort}), because {failure}", failure, null, npm);
    }

    public void Dispose()
    {
        _npm?.Dispose();
        _container?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
