using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pki.Core.Authority;

/// <summary>Bootstraps the hierarchy when the host starts, if configured to.</summary>
public sealed class CaBootstrapService(CaBootstrapper bootstrapper, IOptions<PkiOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.Ca.BootstrapOnStart ? bootstrapper.EnsureHierarchyAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
