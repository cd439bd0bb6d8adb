using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;

namespace Pki.Local;

/// <summary>Invokes one function method for an HTTP request, binding parameters as the Functions host does.</summary>
public static class FunctionEndpoint
{
    public static RequestDelegate Create(FunctionRoute route)
    {
        var binders = route.Method.GetParameters().Select(BinderFor).ToArray();
        return async context =>
        {
            var instance = route.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.RequestServices, route.FunctionType);
            var args = binders.Select(b => b(context)).ToArray();
            var returned = route.Method.Invoke(instance, args);
            var result = returned switch
            {
                Task<IActionResult> task => await task,
                IActionResult direct => direct,
                _ => throw new NotSupportedException($"Function {route.Name} returned {returned?.GetType().Name ?? "null"}; the dev host expects IActionResult."),
            };
            await ExecuteAsync(result, context);
        };
    }

    /// <summary>Writes an action result to the response, as the Functions host's ASP.NET Core integration does.</summary>
    public static Task ExecuteAsync(IActionResult result, HttpContext context)
    {
        RequestLog.Note(context, result);
        return result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    private static Func<HttpContext, object?> BinderFor(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            return c => c.Request;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return c => c.RequestAborted;
        }

        if (parameter.ParameterType == typeof(string))
        {
            var name = parameter.Name!;
            return c => c.GetRouteValue(name)?.ToString();
        }

        throw new NotSupportedException($"Parameter '{parameter.Name}' of {parameter.Member.DeclaringType?.Name}.{parameter.Member.Name} cannot be bound by the dev host.");
    }
}
