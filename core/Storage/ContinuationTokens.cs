using System.Buffers.Text;
using System.Text;
using Pki.Core.Errors;

namespace Pki.Core.Storage;

/// <summary>
/// A listing's continuation token as the API hands it out: its position (a table's continuation token, or the last
/// row key read) marked with what it continues and base64url-encoded, so a token we did not hand out (or one of
/// another listing) is refused as such instead of reaching the table service. Every store that pages a listing
/// wraps and unwraps its tokens here, with a mark of its own.
/// </summary>
internal static class ContinuationTokens
{
    public static string Wrap(string mark, string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(mark + position));

    /// <summary>The position <paramref name="token"/> holds under <paramref name="mark"/>.</summary>
    /// <param name="mark">The listing's own mark, as given to <see cref="Wrap"/>.</param>
    /// <param name="token">The token as the caller sent it.</param>
    /// <param name="isPosition">What a position of this listing looks like, when a position of another shape must not reach the query.</param>
    /// <exception cref="ProblemException">400 invalid-continuation-token: not base64url, another mark, or not a position.</exception>
    public static string Unwrap(string mark, string token, Func<string, bool>? isPosition = null)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (!text.StartsWith(mark, StringComparison.Ordinal))
        {
            throw Invalid();
        }

        var position = text[mark.Length..];
        return isPosition is null || isPosition(position) ? position : throw Invalid();
    }

    public static ProblemException Invalid() =>
        ProblemException.BadRequest("invalid-continuation-token", "The continuation token is not one this service returned; start again without it.");
}
