namespace Pki.Core.Notifications;

/// <summary>A channel could not deliver (mail server down, webhook 5xx): the queue tries the message again.</summary>
public sealed class NoticeDeliveryException : Exception
{
    public NoticeDeliveryException()
    {
    }

    public NoticeDeliveryException(string message)
        : base(message)
    {
    }

    public NoticeDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The channel that failed.</summary>
    public string? Channel { get; init; }
}
