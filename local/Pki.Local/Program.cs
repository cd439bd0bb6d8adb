using Pki.Core;
using Pki.Local;

var app = DevHost.Build(args);

// A configuration mistake is listed, setting by setting, instead of failing the start with a stack trace.
if (!StartupCheck.SettingsAreValid(app.Services, Console.Error))
{
    return StartupCheck.ConfigurationErrorExitCode;
}

await app.RunAsync();
return 0;
