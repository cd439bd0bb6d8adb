using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// Azurite in a throwaway Docker container, described with Testcontainers' generic builder (there is no
/// Testcontainers.Azurite package on our registry). The image is pinned to the Azurite version local/package.json pins.
/// Cannot run on machines without a Docker engine and an image registry: there it reports why and starts nothing.
/// </summary>
public static class AzuriteContainer
{
    public const string Image = "mcr.microsoft.com/azure-storage/azurite:3.35.0";

    private const int BlobPort = 10000, QueuePort = 10001, TablePort = 10002;

    /// <summary>
    /// Starts the container on the engine Testcontainers finds (<paramref name="dockerEndpoint"/> null) or on the
    /// one given. Returns the running container and its connection string, or null and the reason it could not.
    /// </summary>
    public static async Task<(IContainer? Container, string? ConnectionString, string? Failure)> TryStartAsync(
        string? dockerEndpoint, CancellationToken cancellationToken = default)
    {
        IContainer container;
        try
        {
            var builder = new ContainerBuilder(Image)
                .WithCommand("azurite", "--location", "/data", "--skipApiVersionCheck", "--disableTelemetry",
                    "--blobHost", "0.0.0.0", "--queueHost", "0.0.0.0", "--tableHost", "0.0.0.0")
                .WithPortBinding(BlobPort, true)
                .WithPortBinding(QueuePort, true)
                .WithPortBinding(TablePort, true)
                // Any HTTP answer from the table endpoint means Azurite serves (without a signature it answers 4xx).
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request
                    .ForPort((ushort)TablePort).ForPath("/devstoreaccount1/Tables").ForStatusCodeMatching(_ => true)))
                .WithCleanUp(true);
            if (dockerEndpoint is not null)
            {
                builder = builder.WithDockerEndpoint(dockerEndpoint);
            }

            container = builder.Build();
        }
        catch (DockerUnavailableException e)
        {
            return (null, null, "no Docker engine answers (Testcontainers: " + FirstLine(e.Message) + ")");
        }

        try
        {
            await container.StartAsync(cancellationToken);
        }
        catch (Exception e)
        {
            await DisposeQuietlyAsync(container);
            return (null, null, $"the Azurite container did not start on the Docker engine{(dockerEndpoint is null ? "" : " at " + dockerEndpoint)} ({e.GetType().Name}: {FirstLine(e.Message)})");
        }

        string Endpoint(int port) => $"http://{container.Hostname}:{container.GetMappedPublicPort(port)}/devstoreaccount1";
        return (container, NpmAzurite.ConnectionString(Endpoint(BlobPort), Endpoint(QueuePort), Endpoint(TablePort)), null);
    }

    private static async Task DisposeQuietlyAsync(IContainer container)
    {
        try
        {
            await container.DisposeAsync();
        }
        catch (Exception)
        {
            // It never ran: nothing to remove.
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
