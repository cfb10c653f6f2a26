using System.Net;
using System.Net.Sockets;

namespace FeedIngest.Core.Fetching;

/// <summary>A connection refused by <see cref="AddressGuard"/>; never retried.</summary>
public sealed class AddressBlockedException(string message) : IOException(message);

/// <summary>
/// The SSRF guard. Portals are public web sites, so a fetch may only connect to public addresses: after DNS
/// resolution (so a public name that resolves to 10.0.0.5 or 169.254.169.254 is caught, as is every redirect hop
/// and every pooled connection) loopback, private, link-local, CGNAT, multicast, unspecified, reserved and cloud
/// metadata addresses are refused — IPv4-mapped and NAT64/6to4-embedded IPv4 included — unless an operator lists
/// their network in <see cref="FetchingOptions.AllowedPrivateNetworks"/>. Metadata endpoints are refused even
/// then, unless the list names the exact address.
/// </summary>
public sealed class AddressGuard
{
    private static readonly IPNetwork[] BlockedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // CGNAT (shared address space)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local (cloud metadata lives here)
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, broadcast
    ];

    private static readonly IPNetwork[] BlockedV6 =
    [
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("fc00::/7"),         // unique local (fd00:ec2::254, the AWS metadata endpoint, is here)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),         // multicast
        IPNetwork.Parse("100::/64"),         // discard
    ];

    private static readonly IPAddress[] Metadata = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254")];

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public AddressGuard(IReadOnlyList<IPNetwork> allowed) => _allowed = allowed;

    /// <summary>Nothing private allowed (the production default).</summary>
    public static AddressGuard PublicOnly { get; } = new([]);

    /// <summary>Reads "127.0.0.1/32, 10.1.0.0/16" (commas, semicolons or spaces); false with the bad part when one is not a CIDR.</summary>
    public static bool TryParseNetworks(string? text, out IReadOnlyList<IPNetwork> networks, out string? bad)
    {
        var list = new List<IPNetwork>();
        networks = list;
        bad = null;
        foreach (var part in (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // A bare address means that address alone.
            var cidr = part.Contains('/') ? part : part + (part.Contains(':') ? "/128" : "/32");
            if (!IPNetwork.TryParse(cidr, out var network))
            {
                bad = part;
                return false;
            }
            list.Add(network);
        }
        return true;
    }

    public bool IsAllowed(IPAddress address)
    {
        var candidate = Normalize(address);
        if (Metadata.Any(m => m.Equals(candidate)))
            return _allowed.Any(n => n.Contains(candidate) && n.PrefixLength == (candidate.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
        if (!IsSpecial(candidate)) return true;
        return _allowed.Any(n => n.BaseAddress.AddressFamily == candidate.AddressFamily && n.Contains(candidate));
    }

    /// <summary>Why an address is refused, for the failure reason ("loopback", "private", …).</summary>
    public static string Describe(IPAddress address)
    {
        var a = Normalize(address);
        if (Metadata.Any(m => m.Equals(a))) return "a cloud metadata address";
        if (IPAddress.IsLoopback(a)) return "loopback";
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (a.IsIPv6LinkLocal) return "link-local";
            if (a.IsIPv6Multicast) return "multicast";
            if (a.Equals(IPAddress.IPv6Any)) return "unspecified";
            return "private or reserved";
        }
        var b = a.GetAddressBytes();
        return b[0] switch
        {
            0 => "unspecified",
            10 => "private",
            100 when (b[1] & 0xC0) == 64 => "CGNAT (shared) address space",
            169 when b[1] == 254 => "link-local",
            172 when (b[1] & 0xF0) == 16 => "private",
            192 when b[1] == 168 => "private",
            >= 224 and < 240 => "multicast",
            _ => "reserved",
        };
    }

    /// <summary>IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) forms are judged as the IPv4 address they carry.</summary>
    internal static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return new IPAddress(bytes.AsSpan(12, 4));
        if (bytes[0] == 0x20 && bytes[1] == 0x02) return new IPAddress(bytes.AsSpan(2, 4));
        // IPv4-compatible (::a.b.c.d, deprecated) — but not :: and ::1 themselves.
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && (bytes[12] | bytes[13]) != 0) return new IPAddress(bytes.AsSpan(12, 4));
        return address;
    }

    private static bool IsSpecial(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetwork ? BlockedV4.Any(n => n.Contains(a)) : BlockedV6.Any(n => n.Contains(a));

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, drops every address the guard refuses,
    /// connects to the first remaining one that answers. Refuses with <see cref="AddressBlockedException"/> when no
    /// address is left.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        var permitted = addresses.Where(IsAllowed).ToList();
        if (permitted.Count == 0)
        {
            var first = addresses.FirstOrDefault();
            throw new AddressBlockedException(first is null
                ? $"host {endPoint.Host} resolved to no address"
                : $"address {Normalize(first)} of host {endPoint.Host} is {Describe(first)}: blocked, allow it in FeedIngest:Fetching:AllowedPrivateNetworks");
        }

        Exception? last = null;
        foreach (var address in permitted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
