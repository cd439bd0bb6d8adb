using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("Pki.Tests.Infrastructure.Stack.ReportingTestFramework", "Pki.Tests")]

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// xunit's own framework, plus a line through its diagnostic sink for each choice of storage and token
/// (<see cref="TestStack"/>): with <c>diagnosticMessages</c> on (xunit.runner.json), `dotnet test` prints it at its
/// default verbosity, where the test host's standard error is shown only for failed tests.
/// </summary>
public sealed class ReportingTestFramework : XunitTestFramework
{
    public ReportingTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        TestStack.Diagnostics = line => messageSink.OnMessage(new DiagnosticMessage(line));
    }
}
