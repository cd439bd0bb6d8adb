using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// Azurite from local/node_modules (npm, pinned by local/package-lock.json) on free loopback ports, state in a
/// folder of its own. It runs under a small bash guard in its own session (a Ctrl-C at the terminal does not reach
/// it) that sends Azurite exactly one SIGTERM and removes the folder, either when asked (<see cref="Dispose"/>) or
/// when the test process is gone, however it ended: Azurite saves its state on that signal, and a second signal
/// during the save makes it throw (see pki_stop_all in local/lib.sh).
/// </summary>
public sealed class NpmAzurite : IDisposable
{
    // Azurite's well-known development account key: public, documented, and accepted only by emulators.
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Guard _guard;

    private NpmAzurite(Guard guard, string folder, int tablePort, string connectionString)
    {
        _guard = guard;
        Folder = folder;
        TablePort = tablePort;
        StorageConnectionString = connectionString;
    }

    public string Folder { get; }

    public int TablePort { get; }

    public int ProcessId => _guard.AzuritePid;

    public string StorageConnectionString { get; }

    public static string AzuriteBin => Path.Combine(RepoPaths.Root, "local", "node_modules", ".bin", "azurite");

    public static string ConnectionString(string blob, string queue, string table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={blob};QueueEndpoint={queue};TableEndpoint={table};";

    /// <summary>
    /// Starts Azurite in <paramref name="folder"/> (created; removed when it stops) and waits for its table port.
    /// It is stopped when the process <paramref name="owner"/> (default: this one) is gone.
    /// </summary>
    public static NpmAzurite Start(string folder, int? owner = null)
    {
        if (!File.Exists(AzuriteBin))
        {
            throw new InvalidOperationException($"npm Azurite is not installed at {AzuriteBin}: run `bash -c 'source local/lib.sh && pki_install_prerequisites'` (it runs npm ci in local/).");
        }

        Directory.CreateDirectory(folder);
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var guard = Guard.Start(folder,
        [
            AzuriteBin, "--silent", "--disableTelemetry", "--location", folder, "--skipApiVersionCheck",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(), "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
        ], owner);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Listens(table))
        {
            if (DateTime.UtcNow > deadline || !guard.AzuriteRunning)
            {
                var log = Path.Combine(folder, "azurite.log");
                var output = File.Exists(log) ? File.ReadAllText(log) : "";
                guard.Dispose();
                throw new InvalidOperationException($"npm Azurite did not listen on 127.0.0.1:{table} within 30 s: {output}");
            }

            Thread.Sleep(100);
        }

        string Endpoint(int port) => $"http://127.0.0.1:{port}/devstoreaccount1";
        return new NpmAzurite(guard, folder, table, ConnectionString(Endpoint(blob), Endpoint(queue), Endpoint(table)));
    }

    /// <summary>One SIGTERM to Azurite, waits for it to save and exit, removes its folder.</summary>
    public void Dispose() => _guard.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listens(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
