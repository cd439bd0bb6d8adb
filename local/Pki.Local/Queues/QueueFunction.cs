using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Pki.Core.Storage;

namespace Pki.Local.Queues;

/// <summary>
/// One queue-triggered function and how its parameters are bound, as the isolated worker binds them: the trigger
/// as string, byte[], BinaryData, QueueMessage or a JSON-deserialized type; the message's metadata by parameter
/// name (dequeueCount, id, popReceipt, insertionTime, expirationTime, nextVisibleTime); a CancellationToken.
/// </summary>
public sealed class QueueFunction
{
    // The worker's default serializer: System.Text.Json with web defaults (camelCase, case-insensitive).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Func<QueueMessage, CancellationToken, object?>[] _binders;

    private QueueFunction(string name, string queueName, string? connection, Type functionType, MethodInfo method, Func<QueueMessage, CancellationToken, object?>[] binders)
    {
        Name = name;
        QueueName = queueName;
        Connection = connection;
        FunctionType = functionType;
        Method = method;
        _binders = binders;
    }

    public string Name { get; }

    /// <summary>The queue name as written in the attribute; the host reads it lowercased.</summary>
    public string QueueName { get; }

    /// <summary>The app setting naming the storage connection; null for the host's default, AzureWebJobsStorage.</summary>
    public string? Connection { get; }

    public Type FunctionType { get; }

    public MethodInfo Method { get; }

    /// <summary>
    /// The arguments for one invocation on <paramref name="message"/> (its body already decoded).
    /// A body that does not bind (JSON that does not fit the parameter's type) throws, and so fails the invocation, as in the worker.
    /// </summary>
    public object?[] BindArguments(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _binders.Select(b => b(message, cancellationToken)).ToArray();
    }

    internal static QueueFunction Create(string name, QueueTriggerAttribute trigger, Type type, MethodInfo method)
    {
        if (trigger.QueueName.Contains('%', StringComparison.Ordinal))
        {
            throw new NotSupportedException(
                $"Function {name} has the queue name '{trigger.QueueName}'; the dev host takes literal queue names, not %AppSetting% expressions.");
        }

        try
        {
            QueueNames.Resolve(string.Empty, trigger.QueueName);
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"Function {name} has an invalid queue name: {e.Message}", e);
        }

        // An async void function could not be awaited, and its exceptions would take the whole host down.
        if (method.ReturnType != typeof(Task) && (method.ReturnType != typeof(void) || method.GetCustomAttribute<AsyncStateMachineAttribute>() is not null))
        {
            throw new NotSupportedException($"Function {name} must return Task or void (not async void); the dev host has no output bindings.");
        }

        var binders = method.GetParameters().Select(p => BinderFor(name, p)).ToArray();
        return new QueueFunction(name, trigger.QueueName, trigger.Connection, type, method, binders);
    }

    private static Func<QueueMessage, CancellationToken, object?> BinderFor(string function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is not null)
        {
            return TriggerBinder(function, parameter);
        }

        if (type == typeof(CancellationToken))
        {
            return static (_, token) => token;
        }

        Func<QueueMessage, object?>? metadata = parameter.Name?.ToLowerInvariant() switch
        {
            "dequeuecount" when type == typeof(long) => m => m.DequeueCount,
            "dequeuecount" when type == typeof(int) => m => (int)m.DequeueCount,
            "id" when type == typeof(string) => m => m.MessageId,
            "popreceipt" when type == typeof(string) => m => m.PopReceipt,
            "insertiontime" when IsTime(type) => m => m.InsertedOn,
            "expirationtime" when IsTime(type) => m => m.ExpiresOn,
            "nextvisibletime" when IsTime(type) => m => m.NextVisibleOn,
            _ => null,
        };
        if (metadata is not null)
        {
            return (message, _) => metadata(message);
        }

        var reason = type == typeof(FunctionContext)
            ? "the dev host does not provide a FunctionContext"
            : "a queue function takes its trigger, a CancellationToken, and message metadata by name " +
              "(long dequeueCount, string id, string popReceipt, DateTimeOffset insertionTime, expirationTime, nextVisibleTime)";
        throw new NotSupportedException($"Parameter '{parameter.Name}' of function {function} cannot be bound by the dev host; {reason}.");
    }

    private static Func<QueueMessage, CancellationToken, object?> TriggerBinder(string function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(QueueMessage))
        {
            return static (m, _) => m;
        }

        if (type == typeof(BinaryData))
        {
            return static (m, _) => m.Body;
        }

        if (type == typeof(byte[]))
        {
            return static (m, _) => m.Body.ToArray();
        }

        if (type == typeof(string))
        {
            // Invalid UTF-8 becomes U+FFFD, as the host's conversion to string does.
            return static (m, _) => Encoding.UTF8.GetString(m.Body.ToMemory().Span);
        }

        if (type.IsAbstract || type.IsInterface || type.IsPointer || type.IsByRef || type.ContainsGenericParameters || type == typeof(object))
        {
            throw new NotSupportedException(
                $"Parameter '{parameter.Name}' of function {function} cannot take a queue message: bind string, byte[], BinaryData, QueueMessage or a concrete type read from JSON, not {type.Name}.");
        }

        var name = parameter.Name;
        return (m, _) =>
        {
            try
            {
                return JsonSerializer.Deserialize(m.Body.ToMemory().Span, type, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"Exception binding parameter '{name}': the message is not JSON for {type.Name}: {e.Message}", e);
            }
        };
    }

    private static bool IsTime(Type type) => type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?);
}
