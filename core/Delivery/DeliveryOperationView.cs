using System.Text.Json.Serialization;

namespace Pki.Core.Delivery;

/// <summary>An operation in flight as the API shows it.</summary>
public sealed record DeliveryOperationView(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("serialNumber")] string? SerialNumber,
    [property: JsonPropertyName("predecessorSerialNumber")] string? PredecessorSerialNumber,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("nextAttemptAt")] DateTimeOffset? NextAttemptAt,
    [property: JsonPropertyName("lastError")] string? LastError,
    [property: JsonPropertyName("approvalRequestId")] string? ApprovalRequestId = null)
{
    public static DeliveryOperationView Of(DeliveryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return new(operation.Kind.ToString().ToLowerInvariant(), operation.RequestId, operation.SerialNumber, operation.PredecessorSerial,
            operation.Attempts, operation.NextAttemptAt, operation.LastError, operation.ApprovalRequestId);
    }
}
