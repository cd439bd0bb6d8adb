namespace Pki.Core.Delivery;

/// <summary>An operation that cannot complete (renewed otherwise, its successor given up, its pending operation deleted): it is cancelled, not retried.</summary>
internal sealed class DeliveryCancelledException(string message) : Exception(message);
