namespace Pki.Core.Delivery;

/// <summary>A step that is not settled yet (a reservation not signed, a row changed under us): the resume pass tries again later.</summary>
internal sealed class DeliveryDeferredException(string message) : Exception(message);
