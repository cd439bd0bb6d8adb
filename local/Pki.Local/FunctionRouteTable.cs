using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Pki.Local;

/// <summary>
/// Finds the [Function] methods of the functions assembly the way the Worker SDK does, so the dev host
/// serves exactly the routes that functions.metadata declares (a test holds the two equal).
/// </summary>
public static class FunctionRouteTable
{
    public static IReadOnlyList<FunctionRoute> Discover(Assembly assembly)
    {
        var routes = new List<FunctionRoute>();
        foreach (var type in assembly.GetExportedTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                if (function is null)
                {
                    continue;
                }

                var trigger = method.GetParameters()
                    .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
                    .FirstOrDefault(a => a is not null)
                    ?? throw new NotSupportedException($"Function {function.Name} has no HTTP trigger; the dev host serves HTTP functions only.");

                if (method.GetParameters().Single(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null).ParameterType != typeof(HttpRequest))
                {
                    throw new NotSupportedException($"Function {function.Name} must take its HTTP trigger as HttpRequest (ASP.NET Core integration).");
                }

                routes.Add(new FunctionRoute(
                    function.Name,
                    (trigger.Methods ?? ["get", "post"]).Select(m => m.ToLowerInvariant()).ToArray(),
                    trigger.Route ?? function.Name,
                    trigger.AuthLevel.ToString(),
                    type,
                    method));
            }
        }

        return routes;
    }
}
