using System.Buffers.Text;
using System.Text;
using Pki.Core.Errors;

namespace Pki.Core.Storage;

/// <summary>
/// A table's continuation token as the API hands it out: marked with what it continues and base64url-encoded, so a
/// token we did not hand out (or one of another listing) is refused as such instead of reaching the table service.
/// </summary>
internal static class ContinuationTokens
{
    public static string Wrap(string mark, string token) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(mark + token));

    public static string Unwrap(string mark, string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return text.StartsWith(mark, StringComparison.Ordinal) ? text[mark.Length..] : throw Invalid();
        }
        catch (FormatException)
        {
            throw Invalid();
        }
    }

    public static ProblemException Invalid() =>
        ProblemException.BadRequest("invalid-continuation-token", "The continuation token is not one this service returned; start again without it.");
}
