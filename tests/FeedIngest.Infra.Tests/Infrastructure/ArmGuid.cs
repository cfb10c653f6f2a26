using System.Security.Cryptography;
using System.Text;

namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>
/// ARM's guid(a, b, …): a name-based (version 5) UUID of the arguments joined with '-', in ARM's own
/// namespace. Lets a test predict a role assignment's name from its scope, principal and role.
/// </summary>
internal static class ArmGuid
{
    private static readonly Guid ArmNamespace = new("11fb06fb-712d-4ddd-98c7-e71bbd588830");

    public static string Of(params string[] values)
    {
        var name = Encoding.UTF8.GetBytes(string.Join('-', values));
        var input = ArmNamespace.ToByteArray(bigEndian: true).Concat(name).ToArray();
        var hash = SHA1.HashData(input)[..16];
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true).ToString();
    }
}
