namespace Pki.Core.Storage;

/// <summary>Table Storage forbids some characters in keys; ids from callers are checked before use.</summary>
public static class TableKeys
{
    public static bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= 512 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
