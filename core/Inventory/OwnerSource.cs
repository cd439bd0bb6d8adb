namespace Pki.Core.Inventory;

/// <summary>Who set an item's owner and team; a later rule never overrides the API or an issuance request.</summary>
public enum OwnerSource
{
    None,
    Rule,
    Issuance,
    Api,
}
