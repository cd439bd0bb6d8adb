using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Pki.Local.Queues;
using Pki.Local.Timers;

namespace Pki.Local;

/// <summary>
/// The [Function] methods of some types, found the way the Worker SDK finds them, so the dev host serves
/// exactly the routes, schedules and queues that functions.metadata declares (a test holds the two equal).
/// A trigger the dev host cannot run fails discovery instead of being skipped.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionRoute> httpRoutes, IReadOnlyList<TimerFunction> timers, IReadOnlyList<QueueFunction> queues)
    {
        HttpRoutes = httpRoutes;
        Timers = timers;
        Queues = queues;
    }

    public IReadOnlyList<FunctionRoute> HttpRoutes { get; }

    public IReadOnlyList<TimerFunction> Timers { get; }

    public IReadOnlyList<QueueFunction> Queues { get; }

    public static FunctionCatalog Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return Discover(assembly.GetExportedTypes());
    }

    public static FunctionCatalog Discover(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var routes = new List<FunctionRoute>();
        var timers = new List<TimerFunction>();
        var queues = new List<QueueFunction>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                if (function is null)
                {
                    continue;
                }

                // The Functions host refuses to start with two functions of one name (names are case-insensitive).
                if (!names.Add(function.Name))
                {
                    throw new NotSupportedException($"Two functions are named {function.Name}; function names must be unique.");
                }

                var triggers = method.GetParameters()
                    .Select(p => (Parameter: p, Attribute: p.GetCustomAttribute<TriggerBindingAttribute>()))
                    .Where(t => t.Attribute is not null)
                    .ToArray();
                if (triggers.Length != 1)
                {
                    throw new NotSupportedException($"Function {function.Name} has {triggers.Length} trigger parameters; a function has exactly one.");
                }

                var (parameter, trigger) = triggers[0];
                switch (trigger)
                {
                    case HttpTriggerAttribute http:
                        routes.Add(HttpRoute(function, http, parameter, type, method));
                        break;
                    case TimerTriggerAttribute timer:
                        timers.Add(TimerFunction.Create(function.Name, timer, type, method));
                        break;
                    case QueueTriggerAttribute queue:
                        queues.Add(QueueFunction.Create(function.Name, queue, type, method));
                        break;
                    default:
                        throw new NotSupportedException(
                            $"Function {function.Name} has a {trigger!.GetType().Name}; the dev host runs HttpTrigger, TimerTrigger and QueueTrigger functions only.");
                }
            }
        }

        return new FunctionCatalog(routes, timers, queues);
    }

    private static FunctionRoute HttpRoute(FunctionAttribute function, HttpTriggerAttribute trigger, ParameterInfo parameter, Type type, MethodInfo method)
    {
        if (parameter.ParameterType != typeof(HttpRequest))
        {
            throw new NotSupportedException($"Function {function.Name} must take its HTTP trigger as HttpRequest (ASP.NET Core integration).");
        }

        return new FunctionRoute(
            function.Name,
            (trigger.Methods ?? ["get", "post"]).Select(m => m.ToLowerInvariant()).ToArray(),
            trigger.Route ?? function.Name,
            trigger.AuthLevel.ToString(),
            type,
            method);
    }
}
