using Microsoft.Extensions.Logging.Abstractions;
using Pki.Core.Authority;

namespace Pki.Tests.Unit.Authority;

/// <summary>The work that follows an answered issuance: beside the answer, bounded, waited for by serial and at a stop.</summary>
public sealed class IssuanceFollowUpTests
{
    [Fact]
    public async Task A_follow_up_runs_beside_its_caller_and_can_be_waited_for_by_serial_and_at_a_stop()
    {
        var followUp = new IssuanceFollowUp(NullLogger<IssuanceFollowUp>.Instance);
        var release = new TaskCompletionSource();
        var ran = false;

        await followUp.RunAsync("ab01", async () =>
        {
            await release.Task;
            ran = true;
        });

        // The caller went on while its follow-up waits.
        Assert.Equal(1, followUp.Pending);
        var bySerial = followUp.WhenFinishedAsync("ab01");
        var idle = followUp.WhenIdleAsync();
        Assert.False(bySerial.IsCompleted);
        Assert.False(idle.IsCompleted);
        Assert.True(followUp.WhenFinishedAsync("cd02").IsCompleted); // nothing runs for another serial

        release.SetResult();
        await bySerial.WaitAsync(TimeSpan.FromSeconds(10));
        await idle.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
        Assert.Equal(0, followUp.Pending);
        Assert.True(followUp.WhenFinishedAsync("ab01").IsCompleted);
    }

    [Fact]
    public async Task A_failing_follow_up_is_logged_not_thrown_and_past_the_bound_the_caller_does_its_own()
    {
        var followUp = new IssuanceFollowUp(NullLogger<IssuanceFollowUp>.Instance);
        await followUp.RunAsync("ab01", () => throw new IOException("storage down"));
        await followUp.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var release = new TaskCompletionSource();
        for (var i = 0; i < IssuanceFollowUp.MaxPending; i++)
        {
            await followUp.RunAsync($"s{i}", () => release.Task);
        }

        // The bound is reached: the next one runs before RunAsync returns.
        var inline = false;
        await followUp.RunAsync("over", () =>
        {
            inline = true;
            return Task.CompletedTask;
        });
        Assert.True(inline);
        Assert.Equal(IssuanceFollowUp.MaxPending, followUp.Pending);

        release.SetResult();
        await followUp.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, followUp.Pending);
    }
}
