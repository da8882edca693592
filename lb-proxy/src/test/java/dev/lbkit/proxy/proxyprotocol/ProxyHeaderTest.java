package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.ascii;
import static dev.lbkit.proxy.proxyprotocol.GoldenBytesTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header value: what its factories accept, how they normalize, and its TLVs' rules. */
class ProxyHeaderTest {
    private static final InetSocketAddress V4 = endpoint("192.0.2.1", 1234);
    private static final InetSocketAddress V4_DST = endpoint("192.0.2.2", 80);
    private static final InetSocketAddress V6 = endpoint("2001:db8::1", 1234);

    @Test
    void twoIpv4AddressesMakeTcp4AndAnIpv6OneMakesTcp6WithTheOtherMapped() {
        assertThat(ProxyHeader.v1(V4, V4_DST).transport()).isEqualTo(Transport.TCP4);
        ProxyHeader mixed = ProxyHeader.v2(V4, V6);

        assertThat(mixed.transport()).isEqualTo(Transport.TCP6);
        assertThat(mixed.source().getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(IpLiterals.format(mixed.source().getAddress())).isEqualTo("::ffff:c000:201");
        assertThat(mixed.source().getPort()).isEqualTo(1234);
    }

    @Test
    void anUnresolvedAddressIsRefusedBecauseNothingHereResolvesNames() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.com", 80);

        assertThatThrownBy(() -> ProxyHeader.v1(unresolved, V4_DST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source address 'example.com:80' is unresolved");
    }

    @Test
    void hostNamesAndScopeIdsAreDroppedBecauseTheProtocolCarriesNeither() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress scoped = new InetSocketAddress(Inet6Address.getByAddress("router", linkLocal, 3), 1);

        ProxyHeader header = ProxyHeader.v2(scoped, V6);

        assertThat(((Inet6Address) header.source().getAddress()).getScopeId()).isZero();
        assertThat(header.toString()).doesNotContain("router")
                .isEqualTo("ProxyHeader[v2 PROXY TCP6 [fe80::1]:1 -> [2001:db8::1]:1234]");
    }

    @Test
    void anIpv4TransportRefusesIpv6Addresses() {
        assertThatThrownBy(() -> ProxyHeader.v2(Transport.UDP4, V4, V6, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("destination address 2001:db8::1 is IPv6 but the transport is UDP4");
    }

    @Test
    void eachFactoryTakesOnlyItsOwnTransports() {
        assertThatThrownBy(() -> ProxyHeader.v2(Transport.UNIX_STREAM, V4, V4_DST, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNIX_STREAM");
        assertThatThrownBy(() -> ProxyHeader.v2Unix(Transport.TCP4, new byte[1], new byte[1], List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP4");
    }

    @Test
    void aUnixPathIsAtMost108BytesAndLosesItsTrailingNuls() {
        assertThatThrownBy(() -> ProxyHeader.v2Unix(Transport.UNIX_DGRAM, new byte[109], new byte[0], List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("109");

        ProxyHeader header = ProxyHeader.v2Unix(Transport.UNIX_DGRAM, ascii("\0abstract\0\0"), ascii("/s"), List.of());

        assertThat(header.unixSource()).isEqualTo(ascii("\0abstract"));
        assertThat(header.toString()).isEqualTo("ProxyHeader[v2 PROXY UNIX_DGRAM '\\0abstract' -> '/s']");
    }

    @Test
    void addressesAndTlvsMustFitTheSixteenBitLength() {
        List<Tlv> tooMuch = List.of(Tlv.of(Tlv.NOOP, new byte[0xFFFF - 3 - 12 + 1]));

        assertThatThrownBy(() -> ProxyHeader.v2(V4, V4_DST, tooMuch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
        assertThat(ProxyHeader.v2(V4, V4_DST, List.of(Tlv.of(Tlv.NOOP, new byte[0xFFFF - 3 - 12])))).isNotNull();
    }

    @Test
    void aHeaderCarriesAtMostOneChecksum() {
        Tlv crc = Tlv.of(Tlv.CRC32C, new byte[4]);

        assertThatThrownBy(() -> ProxyHeader.v2Local(List.of(crc, crc)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one CRC32C");
    }

    @Test
    void theTlvListIsCopiedAndUnmodifiable() {
        List<Tlv> tlvs = new ArrayList<>(List.of(Tlv.of(Tlv.ALPN, "h2")));
        ProxyHeader header = ProxyHeader.v2(V4, V4_DST, tlvs);
        tlvs.clear();

        assertThat(header.tlvs()).containsExactly(Tlv.of(Tlv.ALPN, "h2"));
        assertThatThrownBy(() -> header.tlvs().add(Tlv.of(Tlv.NOOP, new byte[0])))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(header.tlv(Tlv.ALPN)).contains(Tlv.of(Tlv.ALPN, "h2"));
        assertThat(header.tlv(Tlv.AUTHORITY)).isEmpty();
    }

    @Test
    void equalHeadersAreEqualAndTlvOrderMatters() {
        Tlv a = Tlv.of(Tlv.ALPN, "h2");
        Tlv b = Tlv.of(Tlv.AUTHORITY, "example.com");

        assertThat(ProxyHeader.v2(V4, V4_DST, List.of(a, b))).isEqualTo(ProxyHeader.v2(V4, V4_DST, List.of(a, b)))
                .hasSameHashCodeAs(ProxyHeader.v2(V4, V4_DST, List.of(a, b)))
                .isNotEqualTo(ProxyHeader.v2(V4, V4_DST, List.of(b, a)))
                .isNotEqualTo(ProxyHeader.v1(V4, V4_DST));
        assertThat(ProxyHeader.v2Unix(Transport.UNIX_STREAM, ascii("/a"), ascii("/b"), List.of()))
                .isEqualTo(ProxyHeader.v2Unix(Transport.UNIX_STREAM, ascii("/a\0"), ascii("/b"), List.of()))
                .isNotEqualTo(ProxyHeader.v2Unix(Transport.UNIX_STREAM, ascii("/b"), ascii("/a"), List.of()));
        assertThat(ProxyHeader.v2Local()).isNotEqualTo(ProxyHeader.v2Unknown(List.of()));
    }

    @Test
    void aTlvCopiesItsValueInAndOut() {
        byte[] value = ascii("h2");
        Tlv tlv = Tlv.of(Tlv.ALPN, value);
        value[0] = 'x';
        tlv.value()[1] = 'x';

        assertThat(tlv.valueAsString()).isEqualTo("h2");
        assertThat(tlv.length()).isEqualTo(2);
        assertThat(tlv).hasToString("ALPN[6832]");
    }

    @Test
    void aTlvFollowsTheRulesOfItsType() {
        assertThatThrownBy(() -> Tlv.of(256, new byte[0])).hasMessageContaining("256");
        assertThatThrownBy(() -> Tlv.of(-1, new byte[0])).hasMessageContaining("-1");
        assertThatThrownBy(() -> Tlv.of(Tlv.CRC32C, new byte[3])).hasMessageContaining("CRC32C");
        assertThatThrownBy(() -> Tlv.of(Tlv.UNIQUE_ID, new byte[129])).hasMessageContaining("128");
        assertThatThrownBy(() -> Tlv.of(Tlv.SSL, new byte[4])).hasMessageContaining("SSL");
        assertThatThrownBy(() -> Tlv.of(Tlv.NOOP, new byte[65536])).hasMessageContaining("65535");
        assertThat(Tlv.of(0xEE, new byte[0])).hasToString("0xee[]");
    }

    @Test
    void theEncoderRefusesToGrowAFullHeaderPastItsLengthField() {
        ProxyHeader full = ProxyHeader.v2Local(List.of(Tlv.of(Tlv.NOOP, new byte[0xFFFF - 3])));

        assertThat(new ProxyProtocolEncoder().encodedLength(full)).isEqualTo(65551);
        assertThatThrownBy(() -> new ProxyProtocolEncoder(true).encode(full))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CRC32C");
    }

    @Test
    void theEncoderRefusesAReadOnlyBufferWithoutWriting() {
        ByteBuffer readOnly = ByteBuffer.allocate(64).asReadOnlyBuffer();

        assertThatThrownBy(() -> new ProxyProtocolEncoder().encode(ProxyHeader.v1Unknown(), readOnly))
                .isInstanceOf(ReadOnlyBufferException.class);
        assertThat(readOnly.position()).isZero();
    }

    @Test
    void version1IgnoresTheChecksumOptionBecauseItHasNoTlvs() {
        ProxyHeader header = ProxyHeader.v1(V4, V4_DST);

        assertThat(new ProxyProtocolEncoder(true).encode(header)).isEqualTo(new ProxyProtocolEncoder().encode(header));
        assertThat(new ProxyProtocolEncoder(true).appendsCrc32c()).isTrue();
    }
}
