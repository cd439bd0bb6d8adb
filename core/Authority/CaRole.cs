namespace Pki.Core.Authority;

public enum CaRole
{
    Root,
    Issuing,
}
