using Pki.Local;

await DevHost.Build(args).RunAsync();
