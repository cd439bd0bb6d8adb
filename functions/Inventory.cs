using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Errors;
using Pki.Core.Inventory;
using Pki.Functions.Http;

namespace Pki.Functions;

/// <summary>Read the inventory, filtered and paged; one item with its locations; set its owner.</summary>
public sealed class Inventory(HttpFunction http, InventoryService inventory, IOptions<PkiOptions> options, ILogger<Inventory> logger)
{
    [Function(nameof(ListInventory))]
    public Task<IActionResult> ListInventory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Inventory)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () =>
        {
            var q = req.Query;
            var query = new InventoryQuery(
                Int(q, "expiringWithinDays"),
                Text(q, "issuer"),
                Text(q, "owner"),
                Text(q, "team"),
                Text(q, "finding"),
                Text(q, "source") is { } source ? InventoryService.ParseSource(source) : null,
                Text(q, "location"),
                Name: Text(q, "name"));
            return Json.Result(await inventory.ListAsync(query, Int(q, "pageSize"), Text(q, "continuationToken"), cancellationToken));
        });

    [Function(nameof(GetInventorySummary))]
    public Task<IActionResult> GetInventorySummary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InventorySummary)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () => Json.Result(await inventory.SummarizeAsync(cancellationToken)));

    [Function(nameof(GetInventoryItem))]
    public Task<IActionResult> GetInventoryItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InventoryItem)] HttpRequest req,
        string fingerprint,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () => Json.Result(await inventory.GetAsync(fingerprint, cancellationToken)));

    [Function(nameof(SetInventoryOwner))]
    public Task<IActionResult> SetInventoryOwner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.InventoryOwner)] HttpRequest req,
        string fingerprint,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageInventory, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<OwnerInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            return Json.Result(await inventory.SetOwnerAsync(fingerprint, input, cancellationToken));
        });

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? (values.Count == 1 ? values[0] : throw ProblemException.BadRequest("invalid-filter", $"Give {name} once.")) : null;

    private static int? Int(IQueryCollection query, string name) =>
        Text(query, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw ProblemException.BadRequest("invalid-filter", $"{name} must be a whole number; got '{text}'.");
}
