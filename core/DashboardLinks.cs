namespace Pki.Core;

/// <summary>
/// Addresses of the dashboard's pages, for links a person opens (e-mails, Teams cards): the page, not the JSON behind it,
/// which a browser could not open without a credential. Hash routes, so one served page answers them all.
/// </summary>
public static class DashboardLinks
{
    /// <summary>The page of an inventory item (a certificate found anywhere, issued here or not).</summary>
    public static Uri InventoryItem(string publicBaseUrl, string fingerprint) =>
        new($"{Page(publicBaseUrl)}#/inventory/{Uri.EscapeDataString(fingerprint)}");

    private static string Page(string publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(publicBaseUrl);
        return $"{publicBaseUrl.TrimEnd('/')}/{Routes.Prefix}/{Routes.Dashboard.Split('/')[0]}/";
    }
}
