namespace Pki.Core.Authority;

public static class Pem
{
    public static string Certificate(byte[] der) => new(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der));
}
