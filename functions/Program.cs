using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Pki.Core;
using Pki.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddPkiFunctions(builder.Configuration);
var host = builder.Build();

// A configuration mistake is listed, setting by setting, instead of failing the start with a stack trace.
if (!StartupCheck.SettingsAreValid(host.Services, Console.Error))
{
    return StartupCheck.ConfigurationErrorExitCode;
}

host.Run();
return 0;
