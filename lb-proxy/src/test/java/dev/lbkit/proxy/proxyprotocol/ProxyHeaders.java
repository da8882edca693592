package dev.lbkit.proxy.proxyprotocol;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random valid headers for the property tests: every family, edge-case addresses and ports, any TLVs. */
final class ProxyHeaders {
    private ProxyHeaders() {}

    /** Version 1 headers: TCP4, TCP6 or UNKNOWN. */
    static Arbitrary<ProxyHeader> v1() {
        Arbitrary<ProxyHeader> tcp4 = Combinators.combine(endpoints(4), endpoints(4)).as(ProxyHeader::v1);
        Arbitrary<ProxyHeader> tcp6 = Combinators.combine(endpoints(16), endpoints(16)).as(ProxyHeader::v1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, tcp4), net.jqwik.api.Tuple.of(4, tcp6),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(ProxyHeader.v1Unknown())));
    }

    /** Version 2 headers of every kind, without CRC32C TLVs (the encoder adds those when asked). */
    static Arbitrary<ProxyHeader> v2() {
        Arbitrary<ProxyHeader> inet = Arbitraries.of(Transport.TCP4, Transport.UDP4, Transport.TCP6, Transport.UDP6)
                .flatMap(t -> {
                    int size = t.addressLength() == 12 ? 4 : 16;
                    return Combinators.combine(endpoints(size), endpoints(size), tlvs())
                            .as((s, d, tlvs) -> ProxyHeader.v2(t, s, d, tlvs));
                });
        Arbitrary<ProxyHeader> unix = Combinators.combine(Arbitraries.of(Transport.UNIX_STREAM, Transport.UNIX_DGRAM),
                unixPaths(), unixPaths(), tlvs()).as(ProxyHeader::v2Unix);
        Arbitrary<ProxyHeader> local = tlvs().map(ProxyHeader::v2Local);
        Arbitrary<ProxyHeader> unknown = tlvs().map(ProxyHeader::v2Unknown);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, inet), net.jqwik.api.Tuple.of(2, unix),
                net.jqwik.api.Tuple.of(2, local), net.jqwik.api.Tuple.of(1, unknown));
    }

    /** Any header of either version. */
    static Arbitrary<ProxyHeader> any() {
        return Arbitraries.oneOf(v1(), v2());
    }

    /** Application bytes that follow a header; any content. */
    static Arbitrary<byte[]> trailingData() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
    }

    static Arbitrary<InetSocketAddress> endpoints(int addressSize) {
        Arbitrary<Integer> ports = Arbitraries.oneOf(Arbitraries.integers().between(0, 65535),
                Arbitraries.of(0, 1, 80, 443, 9999, 10000, 65535));
        return Combinators.combine(addresses(addressSize), ports).as(InetSocketAddress::new);
    }

    /** Addresses biased to zero runs (which exercise {@code ::}) and IPv4-mapped IPv6. */
    static Arbitrary<InetAddress> addresses(int size) {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofSize(size);
        Arbitrary<byte[]> sparse = Arbitraries.of((byte) 0, (byte) 0, (byte) 0, (byte) 1, (byte) 0xff)
                .array(byte[].class).ofSize(size);
        Arbitrary<byte[]> mapped = Arbitraries.bytes().array(byte[].class).ofSize(4).map(v4 -> {
            byte[] b = new byte[size];
            if (size == 16) {
                b[10] = (byte) 0xff;
                b[11] = (byte) 0xff;
            }
            System.arraycopy(v4, 0, b, size - 4, 4);
            return b;
        });
        return Arbitraries.oneOf(random, sparse, mapped).map(ProxyHeaders::address);
    }

    static Arbitrary<List<Tlv>> tlvs() {
        return tlv().list().ofMaxSize(4);
    }

    static Arbitrary<Tlv> tlv() {
        Arbitrary<Integer> types = Arbitraries.oneOf(
                Arbitraries.of(Tlv.ALPN, Tlv.AUTHORITY, Tlv.NOOP, Tlv.UNIQUE_ID, Tlv.SSL, Tlv.NETNS, Tlv.MIN_CUSTOM),
                Arbitraries.integers().between(0, 255).filter(t -> t != Tlv.CRC32C));
        return Combinators.combine(types, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as((type, value) ->
                Tlv.of(type, type == Tlv.SSL && value.length < 5 ? Arrays.copyOf(value, 5) : value));
    }

    private static Arbitrary<byte[]> unixPaths() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').withChars('/', '.', '-').ofMinLength(1).ofMaxLength(108)
                        .map(Bytes::ascii),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(108));
    }

    static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 16 ? java.net.Inet6Address.getByAddress(null, bytes, -1)
                    : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
