package dev.lbkit.proxy.proxyprotocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One PROXY protocol header: what a proxy tells the server behind it about the connection it relays.
 * Immutable and thread-safe; built only through the static factories, which validate, or by the decoder.
 *
 * <p>What each field holds:
 * <table>
 *   <caption>fields by kind of header</caption>
 *   <tr><th>kind</th><th>command</th><th>transport</th><th>addresses</th><th>TLVs</th></tr>
 *   <tr><td>{@link #v1}</td><td>PROXY</td><td>TCP4 or TCP6</td><td>source and destination</td><td>none</td></tr>
 *   <tr><td>{@link #v1Unknown}</td><td>PROXY</td><td>UNKNOWN</td><td>null</td><td>none</td></tr>
 *   <tr><td>{@link #v2(InetSocketAddress, InetSocketAddress, List) v2}</td><td>PROXY</td><td>TCP4, UDP4,
 *       TCP6, UDP6</td><td>source and destination</td><td>any</td></tr>
 *   <tr><td>{@link #v2Unix}</td><td>PROXY</td><td>UNIX_STREAM, UNIX_DGRAM</td><td>{@link #unixSource()},
 *       {@link #unixDestination()}</td><td>any</td></tr>
 *   <tr><td>{@link #v2Unknown}</td><td>PROXY</td><td>UNKNOWN</td><td>null</td><td>any</td></tr>
 *   <tr><td>{@link #v2Local(List)}</td><td>LOCAL</td><td>UNKNOWN</td><td>null</td><td>any</td></tr>
 * </table>
 * When the addresses are null the receiver uses the connection's real endpoints (spec sections 2.1, 2.2).
 *
 * <p>Addresses are normalized: host names and IPv6 scope ids are dropped (neither travels in the protocol), an
 * unresolved {@link InetSocketAddress} is refused (this package never resolves names), and an IPv4 address in
 * an IPv6 header becomes its IPv4-mapped form {@code ::ffff:a.b.c.d}, as HAProxy does for mixed families.
 */
public final class ProxyHeader {
    /** The largest address block plus TLVs a version 2 header can carry: its 16-bit length field. */
    static final int MAX_V2_PAYLOAD_LENGTH = 0xFFFF;

    /** The 4 low bits of a version 2 header's 13th byte (spec section 2.2). */
    public enum Command {
        /** The proxy opened the connection itself (e.g. a health check): use the real endpoints. */
        LOCAL,
        /** The connection is relayed on behalf of the source address. */
        PROXY
    }

    /**
     * Transport protocol and address family: the version 1 keyword, or the version 2 14th byte.
     * Version 1 can express {@link #TCP4}, {@link #TCP6} and {@link #UNKNOWN} only.
     */
    public enum Transport {
        /** Unknown or unspecified ({@code UNKNOWN} in version 1, {@code \x00} in version 2): no addresses. */
        UNKNOWN(0x00, 0),
        /** TCP over IPv4 ({@code \x11}); 2*4 + 2*2 address bytes. */
        TCP4(0x11, 12),
        /** UDP over IPv4 ({@code \x12}); version 2 only. */
        UDP4(0x12, 12),
        /** TCP over IPv6 ({@code \x21}); 2*16 + 2*2 address bytes. */
        TCP6(0x21, 36),
        /** UDP over IPv6 ({@code \x22}); version 2 only. */
        UDP6(0x22, 36),
        /** {@code SOCK_STREAM} over {@code AF_UNIX} ({@code \x31}); 2*108 address bytes; version 2 only. */
        UNIX_STREAM(0x31, 216),
        /** {@code SOCK_DGRAM} over {@code AF_UNIX} ({@code \x32}); version 2 only. */
        UNIX_DGRAM(0x32, 216);

        private static final Transport[] VALUES = values();

        private final int code;
        private final int addressLength;

        Transport(int code, int addressLength) {
            this.code = code;
            this.addressLength = addressLength;
        }

        /** The version 2 family-and-protocol byte, e.g. {@code 0x11} for TCP4. */
        public int code() {
            return code;
        }

        /** The length of this transport's version 2 address block in bytes: 0, 12, 36 or 216. */
        public int addressLength() {
            return addressLength;
        }

        /** True for TCP and UDP over IPv4 and IPv6, whose addresses are {@link InetSocketAddress}es. */
        public boolean isInet() {
            return addressLength == 12 || addressLength == 36;
        }

        /** True for the two {@code AF_UNIX} transports. */
        public boolean isUnix() {
            return addressLength == UNIX_PATH_LENGTH * 2;
        }

        /** The transport whose version 2 byte is {@code code}, or null when the spec lists no such byte. */
        static Transport ofCode(int code) {
            for (Transport t : VALUES) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** The size of an {@code AF_UNIX} address in a version 2 header: {@code sun_path}, 108 bytes. */
    public static final int UNIX_PATH_LENGTH = 108;

    private final int version;
    private final Command command;
    private final Transport transport;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;
    private final byte[] unixSource;
    private final byte[] unixDestination;
    private final List<Tlv> tlvs;

    private ProxyHeader(int version, Command command, Transport transport, InetSocketAddress source,
            InetSocketAddress destination, byte[] unixSource, byte[] unixDestination, List<Tlv> tlvs) {
        this.version = version;
        this.command = command;
        this.transport = transport;
        this.source = source;
        this.destination = destination;
        this.unixSource = unixSource;
        this.unixDestination = unixDestination;
        this.tlvs = tlvs;
    }

    /**
     * A version 1 line for a TCP connection: {@code TCP4} when both addresses are IPv4, otherwise {@code TCP6}
     * (an IPv4 address then travels IPv4-mapped).
     *
     * @throws IllegalArgumentException when an address is unresolved
     * @throws NullPointerException when an address is null
     */
    public static ProxyHeader v1(InetSocketAddress source, InetSocketAddress destination) {
        Transport t = bothIpv4(source, destination) ? Transport.TCP4 : Transport.TCP6;
        return new ProxyHeader(1, Command.PROXY, t, normalize("source", source, t),
                normalize("destination", destination, t), null, null, List.of());
    }

    /** The version 1 line {@code PROXY UNKNOWN\r\n}: the receiver uses the real endpoints. */
    public static ProxyHeader v1Unknown() {
        return new ProxyHeader(1, Command.PROXY, Transport.UNKNOWN, null, null, null, null, List.of());
    }

    /** A version 2 header for a TCP connection, without TLVs; see {@link #v2(InetSocketAddress, InetSocketAddress, List)}. */
    public static ProxyHeader v2(InetSocketAddress source, InetSocketAddress destination) {
        return v2(source, destination, List.of());
    }

    /**
     * A version 2 header for a TCP connection: {@code TCP4} when both addresses are IPv4, otherwise {@code TCP6}.
     *
     * @param tlvs in wire order (copied); may hold a {@link Tlv#CRC32C}, whose value the encoder computes
     * @throws IllegalArgumentException when an address is unresolved, the TLVs do not fit in 65535 bytes with
     *     the addresses, or they hold more than one CRC32C
     */
    public static ProxyHeader v2(InetSocketAddress source, InetSocketAddress destination, List<Tlv> tlvs) {
        return v2(bothIpv4(source, destination) ? Transport.TCP4 : Transport.TCP6, source, destination, tlvs);
    }

    /**
     * A version 2 header for TCP or UDP over IPv4 or IPv6.
     *
     * @param transport TCP4, UDP4, TCP6 or UDP6; the IPv6 ones take IPv4 addresses IPv4-mapped
     * @throws IllegalArgumentException as {@link #v2(InetSocketAddress, InetSocketAddress, List)}, or when the
     *     transport is not TCP or UDP, or is IPv4 and an address is IPv6
     */
    public static ProxyHeader v2(Transport transport, InetSocketAddress source, InetSocketAddress destination,
            List<Tlv> tlvs) {
        if (!transport.isInet()) {
            throw new IllegalArgumentException("transport must be TCP4, UDP4, TCP6 or UDP6 but was " + transport);
        }
        return new ProxyHeader(2, Command.PROXY, transport, normalize("source", source, transport),
                normalize("destination", destination, transport), null, null, checkTlvs(transport, tlvs));
    }

    /**
     * A version 2 header for a connection over {@code AF_UNIX} sockets. A path is the {@code sun_path} bytes as
     * sent, at most {@value #UNIX_PATH_LENGTH}; trailing NUL bytes are dropped (the wire pads with them, so they
     * cannot be told apart from padding), and an abstract socket name starts with a NUL.
     *
     * @param transport UNIX_STREAM or UNIX_DGRAM
     * @throws IllegalArgumentException when the transport is not a UNIX one or a path is longer than 108 bytes
     */
    public static ProxyHeader v2Unix(Transport transport, byte[] sourcePath, byte[] destinationPath,
            List<Tlv> tlvs) {
        if (!transport.isUnix()) {
            throw new IllegalArgumentException("transport must be UNIX_STREAM or UNIX_DGRAM but was " + transport);
        }
        return new ProxyHeader(2, Command.PROXY, transport, null, null, unixPath("source", sourcePath),
                unixPath("destination", destinationPath), checkTlvs(transport, tlvs));
    }

    /**
     * A version 2 PROXY header with address family {@code AF_UNSPEC}: the proxy relays the connection but cannot
     * say from where; the receiver uses the real endpoints.
     */
    public static ProxyHeader v2Unknown(List<Tlv> tlvs) {
        return new ProxyHeader(2, Command.PROXY, Transport.UNKNOWN, null, null, null, null,
                checkTlvs(Transport.UNKNOWN, tlvs));
    }

    /**
     * The version 2 LOCAL header a proxy sends on connections of its own, e.g. health checks: family
     * {@code AF_UNSPEC}, no addresses; the receiver uses the real endpoints.
     */
    public static ProxyHeader v2Local() {
        return v2Local(List.of());
    }

    /** A version 2 LOCAL header with TLVs (for instance a {@link Tlv#CRC32C} or a {@link Tlv#UNIQUE_ID}). */
    public static ProxyHeader v2Local(List<Tlv> tlvs) {
        return new ProxyHeader(2, Command.LOCAL, Transport.UNKNOWN, null, null, null, null,
                checkTlvs(Transport.UNKNOWN, tlvs));
    }

    /** The decoder's way in: everything was validated on the wire, arrays are owned. */
    static ProxyHeader decoded(int version, Command command, Transport transport, InetSocketAddress source,
            InetSocketAddress destination, byte[] unixSource, byte[] unixDestination, List<Tlv> tlvs) {
        return new ProxyHeader(version, command, transport, source, destination, unixSource, unixDestination,
                tlvs);
    }

    /** 1 for the text format, 2 for the binary one. */
    public int version() {
        return version;
    }

    /** LOCAL or PROXY; always PROXY for version 1. */
    public Command command() {
        return command;
    }

    /** The transport and address family; UNKNOWN for LOCAL headers. */
    public Transport transport() {
        return transport;
    }

    /** The client's address and port, or null when the transport is not TCP or UDP (UNKNOWN, UNIX) or LOCAL. */
    public InetSocketAddress source() {
        return source;
    }

    /** The address and port the client connected to, or null exactly when {@link #source()} is. */
    public InetSocketAddress destination() {
        return destination;
    }

    /** A copy of the source {@code sun_path} bytes without trailing NULs, or null unless the transport is UNIX. */
    public byte[] unixSource() {
        return unixSource == null ? null : unixSource.clone();
    }

    /** A copy of the destination {@code sun_path} bytes without trailing NULs, or null unless the transport is UNIX. */
    public byte[] unixDestination() {
        return unixDestination == null ? null : unixDestination.clone();
    }

    /** The TLVs in wire order, unmodifiable; empty for version 1. */
    public List<Tlv> tlvs() {
        return tlvs;
    }

    /** The first TLV of the given type, if any. */
    public Optional<Tlv> tlv(int type) {
        for (Tlv tlv : tlvs) {
            if (tlv.type() == type) {
                return Optional.of(tlv);
            }
        }
        return Optional.empty();
    }

    /** True when the header carries addresses the receiver should use instead of the connection's own. */
    public boolean hasAddresses() {
        return source != null || unixSource != null;
    }

    byte[] unixSourceUnsafe() {
        return unixSource;
    }

    byte[] unixDestinationUnsafe() {
        return unixDestination;
    }

    private static boolean bothIpv4(InetSocketAddress source, InetSocketAddress destination) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        return source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    }

    private static InetSocketAddress normalize(String what, InetSocketAddress address, Transport transport) {
        Objects.requireNonNull(address, what);
        InetAddress ip = address.getAddress();
        if (address.isUnresolved() || ip == null) {
            throw new IllegalArgumentException(what + " address '" + address.getHostString() + ":"
                    + address.getPort() + "' is unresolved; the PROXY protocol carries IP addresses only");
        }
        boolean ipv4Transport = transport.addressLength() == 12;
        if (ipv4Transport && !(ip instanceof Inet4Address)) {
            throw new IllegalArgumentException(what + " address " + IpLiterals.format(ip) + " is IPv6 but the "
                    + "transport is " + transport);
        }
        byte[] bytes = ipv4Transport ? ip.getAddress() : IpLiterals.toIpv6Bytes(ip);
        return new InetSocketAddress(IpLiterals.fromBytes(bytes), address.getPort());
    }

    private static byte[] unixPath(String what, byte[] path) {
        Objects.requireNonNull(path, what);
        if (path.length > UNIX_PATH_LENGTH) {
            throw new IllegalArgumentException(what + " UNIX path must be at most 108 bytes but was " + path.length);
        }
        return stripTrailingNuls(path, 0, path.length);
    }

    /** {@code bytes[from, to)} without its trailing NUL bytes, as a new array. */
    static byte[] stripTrailingNuls(byte[] bytes, int from, int to) {
        int end = to;
        while (end > from && bytes[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOfRange(bytes, from, end);
    }

    private static List<Tlv> checkTlvs(Transport transport, List<Tlv> tlvs) {
        List<Tlv> copy = List.copyOf(tlvs);
        long length = transport.addressLength();
        int checksums = 0;
        for (Tlv tlv : copy) {
            length += tlv.encodedLength();
            if (tlv.type() == Tlv.CRC32C) {
                checksums++;
            }
        }
        if (length > MAX_V2_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("addresses and TLVs must fit in 65535 bytes but take " + length);
        }
        if (checksums > 1) {
            throw new IllegalArgumentException("a header carries at most one CRC32C TLV but has " + checksums);
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProxyHeader)) {
            return false;
        }
        ProxyHeader that = (ProxyHeader) o;
        return version == that.version && command == that.command && transport == that.transport
                && Objects.equals(source, that.source) && Objects.equals(destination, that.destination)
                && Arrays.equals(unixSource, that.unixSource) && Arrays.equals(unixDestination, that.unixDestination)
                && tlvs.equals(that.tlvs);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(version, command, transport, source, destination, tlvs);
        return 31 * (31 * h + Arrays.hashCode(unixSource)) + Arrays.hashCode(unixDestination);
    }

    /** E.g. {@code ProxyHeader[v2 PROXY TCP4 192.168.0.1:56324 -> 192.168.0.11:443 tlvs=[ALPN[6832]]]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ProxyHeader[v").append(version).append(' ').append(command)
                .append(' ').append(transport);
        if (source != null) {
            sb.append(' ').append(endpoint(source)).append(" -> ").append(endpoint(destination));
        } else if (unixSource != null) {
            sb.append(' ').append(unixText(unixSource)).append(" -> ").append(unixText(unixDestination));
        }
        if (!tlvs.isEmpty()) {
            sb.append(" tlvs=").append(tlvs);
        }
        return sb.append(']').toString();
    }

    private static String endpoint(InetSocketAddress address) {
        String ip = IpLiterals.format(address.getAddress());
        return (address.getAddress() instanceof Inet4Address ? ip : "[" + ip + "]") + ":" + address.getPort();
    }

    private static String unixText(byte[] path) {
        return "'" + new String(path, StandardCharsets.UTF_8).replace("\0", "\\0") + "'";
    }
}
