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
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Read the inventory, filtered and paged; one item with its locations; set its owner.</summary>
public sealed class Inventory(HttpFunction http, InventoryService inventory, IOptions<PkiOptions> options, ILogger<Inventory> logger)
{
    [ApiOperation("A page of the inventory, filtered.", Response = typeof(InventoryListView), Permission = nameof(Permission.ReadInventory))]
    [ApiQuery("expiringWithinDays", "Not after within this many days from now.", Type = "integer")]
    [ApiQuery("issuer", "An issuer DN as shown, or one of our CA ids.")]
    [ApiQuery("owner", "The owner (exact).")]
    [ApiQuery("team", "The team (any case).")]
    [ApiQuery("finding", "A finding code, or 'other': any stored finding without an overview tile of its own.")]
    [ApiQuery("revokedWithinDays", "Revoked by one of our CAs within this many days before now.", Type = "integer")]
    [ApiQuery("source", "issued, endpoint or keyvault.")]
    [ApiQuery("location", "A location as shown in locations (one answer, no paging).")]
    [ApiQuery("name", "A DNS name carried by certificates of our CAs (one answer, no paging).")]
    [ApiQuery("pageSize", "Items per page.", Type = "integer")]
    [ApiQuery("continuationToken", "The token of the previous page, for the next.")]
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
                Name: Text(q, "name"),
                RevokedWithinDays: Int(q, "revokedWithinDays"));
            return Json.Result(await inventory.ListAsync(query, Int(q, "pageSize"), Text(q, "continuationToken"), cancellationToken));
        });

    [ApiOperation("The dashboard's tiles: how many items each inventory filter lists.", Response = typeof(InventorySummary), Permission = nameof(Permission.ReadInventory))]
    [Function(nameof(GetInventorySummary))]
    public Task<IActionResult> GetInventorySummary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InventorySummary)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () => Json.Result(await inventory.SummarizeAsync(cancellationToken)));

    [ApiOperation("One inventory item with its locations.", Response = typeof(InventoryItemView), Permission = nameof(Permission.ReadInventory))]
    [Function(nameof(GetInventoryItem))]
    public Task<IActionResult> GetInventoryItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InventoryItem)] HttpRequest req,
        string fingerprint,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () => Json.Result(await inventory.GetAsync(fingerprint, cancellationToken)));

    [ApiOperation("Set an item's owner and team by hand.", Request = typeof(OwnerInput), Response = typeof(InventoryItemView), Permission = nameof(Permission.ManageInventory))]
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
