using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Pki.Local;
using Pki.Local.Queues;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Local.Queues;

/// <summary>host.json's extensions.queues binds as the Functions host binds it, with its defaults and limits.</summary>
public sealed class QueueListenerOptionsTests
{
    [Fact]
    public void The_repository_host_json_binds_to_the_listener_options()
    {
        var options = Bind(Path.Combine(RepoPaths.Root, "host.json"));

        Assert.Equal(QueueMessageEncoding.Base64, options.MessageEncoding);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(5), options.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(8, options.EffectiveNewBatchThreshold);
        options.Validate();
    }

    [Fact]
    public void Unset_settings_take_the_hosts_defaults()
    {
        var options = new QueueListenerOptions();

        Assert.Equal(
            (16, 8, TimeSpan.FromMinutes(1), TimeSpan.Zero, 5, QueueMessageEncoding.Base64, TimeSpan.FromMinutes(10)),
            (options.BatchSize, options.EffectiveNewBatchThreshold, options.MaxPollingInterval, options.VisibilityTimeout,
             options.MaxDequeueCount, options.MessageEncoding, options.ProcessingVisibilityTimeout));
    }

    [Fact]
    public void Keys_in_any_case_and_none_encoding_bind_like_the_host()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"extensions": {"queues": {"MessageEncoding": "none", "NEWBATCHTHRESHOLD": 0, "batchSize": 1}}}""");
        try
        {
            var options = Bind(path);

            Assert.Equal((QueueMessageEncoding.None, 0, 1), (options.MessageEncoding, options.EffectiveNewBatchThreshold, options.BatchSize));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(nameof(QueueListenerOptions.BatchSize), "batchSize must be 1 to 32; got 33")]
    [InlineData(nameof(QueueListenerOptions.NewBatchThreshold), "newBatchThreshold must not be negative")]
    [InlineData(nameof(QueueListenerOptions.MaxPollingInterval), "maxPollingInterval must be at least 00:00:00.1000000")]
    [InlineData(nameof(QueueListenerOptions.VisibilityTimeout), "visibilityTimeout must be 0 to 7 days")]
    [InlineData(nameof(QueueListenerOptions.MaxDequeueCount), "maxDequeueCount must be at least 1; got 0")]
    public void A_setting_the_host_would_refuse_is_refused_naming_it(string setting, string message)
    {
        var options = new QueueListenerOptions();
        switch (setting)
        {
            case nameof(QueueListenerOptions.BatchSize): options.BatchSize = 33; break;
            case nameof(QueueListenerOptions.NewBatchThreshold): options.NewBatchThreshold = -1; break;
            case nameof(QueueListenerOptions.MaxPollingInterval): options.MaxPollingInterval = TimeSpan.FromMilliseconds(50); break;
            case nameof(QueueListenerOptions.VisibilityTimeout): options.VisibilityTimeout = TimeSpan.FromDays(8); break;
            case nameof(QueueListenerOptions.MaxDequeueCount): options.MaxDequeueCount = 0; break;
        }

        var refused = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith("host.json extensions.queues: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    private static QueueListenerOptions Bind(string path)
    {
        var options = new QueueListenerOptions();
        HostJson.Configuration(path).GetSection(QueueListenerOptions.HostJsonSection).Bind(options);
        return options;
    }
}
