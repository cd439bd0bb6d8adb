using Azure.Core;
using Pki.Core;
using Pki.Core.Storage;

namespace Pki.Tests.Unit.Storage;

public sealed class StorageClientsTests
{
    private static readonly StorageOptions IdentityBased = new()
    {
        TableServiceUri = "https://pkistore.table.core.windows.net",
        QueueServiceUri = "https://pkistore.queue.core.windows.net",
        BlobServiceUri = "https://pkistore.blob.core.windows.net",
    };

    [Fact]
    public void Without_a_connection_string_the_clients_use_the_endpoints_and_the_apps_identity()
    {
        var credential = new NeverCalledCredential();

        Assert.Equal(new Uri(IdentityBased.TableServiceUri!), StorageClients.Tables(IdentityBased, credential).Uri);
        Assert.Equal(new Uri(IdentityBased.QueueServiceUri!), StorageClients.Queues(IdentityBased, credential).Uri);
        Assert.Equal(new Uri(IdentityBased.BlobServiceUri!), StorageClients.Blobs(IdentityBased, credential).Uri);
        Assert.Equal("pkistore", StorageClients.Tables(IdentityBased, credential).AccountName);
        Assert.Throws<InvalidOperationException>(() => StorageClients.Tables(IdentityBased, credential: null));
    }

    [Fact]
    public void Storage_settings_are_a_connection_string_or_three_https_endpoints_never_both()
    {
        var validator = new PkiOptionsValidator();
        var both = new PkiOptions { Storage = { ConnectionString = "UseDevelopmentStorage=true", TableServiceUri = IdentityBased.TableServiceUri } };
        Assert.Contains("Pki:Storage:ConnectionString and Pki:Storage:TableServiceUri are both set", validator.Validate(null, both).FailureMessage);

        var partial = new PkiOptions { Storage = { TableServiceUri = IdentityBased.TableServiceUri, QueueServiceUri = "http://pkistore.queue.core.windows.net" } };
        var message = validator.Validate(null, partial).FailureMessage;
        Assert.Contains("Pki:Storage:QueueServiceUri must be the account's https endpoint", message);
        Assert.Contains("Pki:Storage:BlobServiceUri must be the account's https endpoint", message);
        Assert.DoesNotContain("Pki:Storage:TableServiceUri", message);

        var identity = new PkiOptions { Storage = IdentityBased };
        Assert.DoesNotContain("Pki:Storage", validator.Validate(null, identity).FailureMessage ?? string.Empty);
    }

    /// <summary>The clients are made, not used: a token is never asked for.</summary>
    private sealed class NeverCalledCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new InvalidOperationException("no token expected");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new InvalidOperationException("no token expected");
    }
}
