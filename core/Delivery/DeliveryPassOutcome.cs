namespace Pki.Core.Delivery;

/// <summary>What a resume pass did with the operations in flight.</summary>
public sealed record DeliveryPassOutcome(int Delivered, int Pending, int Cancelled, int Waiting, int Failed);
