package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.ascii;
import static dev.lbkit.proxy.proxyprotocol.Bytes.buffer;
import static dev.lbkit.proxy.proxyprotocol.Bytes.concat;
import static dev.lbkit.proxy.proxyprotocol.Bytes.hex;
import static dev.lbkit.proxy.proxyprotocol.Bytes.remaining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Command;
import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Result;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes, from the examples and the layout of the spec (haproxy doc/proxy-protocol.txt, sections 2.1 and
 * 2.2), written out by hand: the encoder must produce them byte for byte and the decoder must read them back,
 * leaving the application data that follows in the buffer.
 */
class GoldenBytesTest {
    private static final byte[] HTTP_REQUEST = ascii("GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n");
    private static final String SIGNATURE = "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a";
    private static final String SIG_LOCAL_TCP4 = SIGNATURE + "20 11";

    private final ProxyProtocolEncoder encoder = new ProxyProtocolEncoder();
    private final ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();

    // ---- version 1 -------------------------------------------------------------------------------------------

    @Test
    void theSpecsTcp4ExampleEncodesAndDecodesAndTheHttpRequestAfterItStaysInTheBuffer() throws Exception {
        byte[] line = ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        ProxyHeader header = ProxyHeader.v1(endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443));

        assertThat(encoder.encode(header)).isEqualTo(line);
        assertDecodesFollowedByData(line, header);
        assertThat(header.transport()).isEqualTo(Transport.TCP4);
    }

    @Test
    void aTcp6LineWithCompressedAddressesEncodesAndDecodes() throws Exception {
        byte[] line = ascii("PROXY TCP6 2001:db8::1 2001:db8::11 56324 443\r\n");
        ProxyHeader header = ProxyHeader.v1(endpoint("2001:db8::1", 56324), endpoint("2001:db8::11", 443));

        assertThat(encoder.encode(header)).isEqualTo(line);
        assertDecodesFollowedByData(line, header);
    }

    @Test
    void theSpecsLongestTcp6LineOf104BytesEncodesAndDecodes() throws Exception {
        String ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] line = ascii("PROXY TCP6 " + ffff + " " + ffff + " 65535 65535\r\n");
        ProxyHeader header = ProxyHeader.v1(endpoint(ffff, 65535), endpoint(ffff, 65535));

        assertThat(line).hasSize(104);
        assertThat(encoder.encode(header)).isEqualTo(line);
        assertDecodesFollowedByData(line, header);
    }

    @Test
    void theShortUnknownLineEncodesAndDecodes() throws Exception {
        byte[] line = ascii("PROXY UNKNOWN\r\n");

        assertThat(encoder.encode(ProxyHeader.v1Unknown())).isEqualTo(line);
        assertDecodesFollowedByData(line, ProxyHeader.v1Unknown());
    }

    @Test
    void theSpecsWorstCaseUnknownLineOf107BytesIsAcceptedAndItsAddressesIgnored() throws Exception {
        String ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] line = ascii("PROXY UNKNOWN " + ffff + " " + ffff + " 65535 65535\r\n");

        assertThat(line).hasSize(ProxyProtocolDecoder.V1_MAX_LENGTH);
        assertDecodesFollowedByData(line, ProxyHeader.v1Unknown());
        assertDecodesFollowedByData(ascii("PROXY UNKNOWN 192.168.0.1 192.168.0.11 56324 443\r\n"),
                ProxyHeader.v1Unknown());
    }

    @Test
    void aTcp6LineWithAnIpv4MappedDottedAddressAsHaproxySendsForMixedFamiliesIsAccepted() throws Exception {
        byte[] line = ascii("PROXY TCP6 ::ffff:192.168.0.1 2001:db8::11 56324 443\r\n");

        ProxyHeader header = decoder.decode(buffer(line)).header();

        assertThat(header.source().getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(header.source().getAddress().getAddress())
                .isEqualTo(hex("00000000 00000000 0000ffff c0a80001"));
        assertThat(encoder.encode(header)).isEqualTo(ascii("PROXY TCP6 ::ffff:c0a8:1 2001:db8::11 56324 443\r\n"));
    }

    @Test
    void mixedFamiliesAreSentAsTcp6WithTheIpv4AddressMapped() {
        ProxyHeader header = ProxyHeader.v1(endpoint("10.0.0.1", 1000), endpoint("2001:db8::1", 80));

        assertThat(encoder.encode(header)).isEqualTo(ascii("PROXY TCP6 ::ffff:a00:1 2001:db8::1 1000 80\r\n"));
    }

    @Test
    void upperCaseAndLeadingZeroHexGroupsAreAcceptedAndWrittenBackInCanonicalForm() throws Exception {
        byte[] line = ascii("PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:0001 2001:db8::11 1 2\r\n");

        ProxyHeader header = decoder.decode(buffer(line)).header();

        assertThat(encoder.encode(header)).isEqualTo(ascii("PROXY TCP6 2001:db8::1 2001:db8::11 1 2\r\n"));
    }

    // ---- version 2 -------------------------------------------------------------------------------------------

    @Test
    void aV2Tcp4HeaderMatchesTheSpecsLayout() throws Exception {
        byte[] bytes = hex(SIGNATURE
                + "21"            // version 2, command PROXY
                + "11"            // AF_INET, STREAM
                + "00 0c"         // 12 address bytes
                + "c0 a8 00 01"   // 192.168.0.1
                + "c0 a8 00 0b"   // 192.168.0.11
                + "dc 04"         // 56324
                + "01 bb");       // 443
        ProxyHeader header = ProxyHeader.v2(endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443));

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        assertDecodesFollowedByData(bytes, header);
    }

    @Test
    void aHeaderCapturedFromHaproxyDecodesAndLeavesItsHttpRequest() throws Exception {
        byte[] captured = concat(hex(SIGNATURE + "21 11 00 0c ac 13 00 01 ac 13 00 03 a6 52 00 50"),
                ascii("GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"));
        ByteBuffer in = buffer(captured);

        Result result = decoder.decode(in);

        assertThat(result.header()).isEqualTo(
                ProxyHeader.v2(endpoint("172.19.0.1", 42578), endpoint("172.19.0.3", 80)));
        assertThat(result.headerLength()).isEqualTo(28);
        assertThat(remaining(in)).isEqualTo(ascii("GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"));
    }

    @Test
    void aV2Tcp6HeaderMatchesTheSpecsLayout() throws Exception {
        byte[] bytes = hex(SIGNATURE
                + "21 21 00 24"
                + "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"   // 2001:db8::1
                + "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"   // 2001:db8::2
                + "dc 04 01 bb");
        ProxyHeader header = ProxyHeader.v2(endpoint("2001:db8::1", 56324), endpoint("2001:db8::2", 443));

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        assertDecodesFollowedByData(bytes, header);
    }

    @Test
    void aV2Udp4HeaderCarriesTheDgramProtocolNibble() throws Exception {
        byte[] bytes = hex(SIGNATURE + "21 12 00 0c 0a 00 00 01 0a 00 00 02 00 35 00 35");
        ProxyHeader header = ProxyHeader.v2(Transport.UDP4, endpoint("10.0.0.1", 53), endpoint("10.0.0.2", 53),
                List.of());

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        assertDecodesFollowedByData(bytes, header);
    }

    @Test
    void aV2LocalHeaderIsSixteenBytesWithFamilyUnspecAndNoAddresses() throws Exception {
        byte[] bytes = hex(SIGNATURE + "20 00 00 00");

        assertThat(encoder.encode(ProxyHeader.v2Local())).isEqualTo(bytes);
        ProxyHeader decoded = assertDecodesFollowedByData(bytes, ProxyHeader.v2Local());
        assertThat(decoded.command()).isEqualTo(Command.LOCAL);
        assertThat(decoded.source()).isNull();
        assertThat(decoded.hasAddresses()).isFalse();
    }

    @Test
    void aV2LocalHeaderWithAddressesHasThemSkippedAsTheSpecSays() throws Exception {
        byte[] bytes = hex(SIGNATURE + "20 11 00 0c c0 a8 00 01 c0 a8 00 0b dc 04 01 bb");

        assertDecodesFollowedByData(bytes, ProxyHeader.v2Local());
    }

    @Test
    void aV2LocalHeaderWithAnUnlistedFamilyIsStillAcceptedBecauseLocalIgnoresTheFamily() throws Exception {
        byte[] bytes = hex(SIGNATURE + "20 45 00 03 01 02 03");

        assertDecodesFollowedByData(bytes, ProxyHeader.v2Local());
    }

    @Test
    void aV2LocalHeaderWhoseBlockIsNotTlvsIsStillAcceptedAsTheSpecRequires() throws Exception {
        // dummy TCP4 addresses, then 5 bytes that are no TLV sequence (the second "TLV" overruns)
        byte[] bytes = hex(SIG_LOCAL_TCP4 + "00 11" + "c0 a8 00 01 c0 a8 00 0b dc 04 01 bb" + "00 00 00 05 ff");

        assertDecodesFollowedByData(bytes, ProxyHeader.v2Local());
    }

    @Test
    void aV2ProxyHeaderWithFamilyUnspecHasNoAddresses() throws Exception {
        byte[] bytes = hex(SIGNATURE + "21 00 00 05 01 00 02 68 32");
        ProxyHeader header = ProxyHeader.v2Unknown(List.of(Tlv.of(Tlv.ALPN, "h2")));

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        assertDecodesFollowedByData(bytes, header);
    }

    @Test
    void aV2HeaderWithAlpnAndAuthorityTlvsMatchesTheSpecsLayout() throws Exception {
        byte[] bytes = hex(SIGNATURE + "21 11 00 1f"
                + "c0 a8 00 01 c0 a8 00 0b dc 04 01 bb"
                + "01 00 02 68 32"                                     // ALPN "h2"
                + "02 00 0b 65 78 61 6d 70 6c 65 2e 63 6f 6d");        // AUTHORITY "example.com"
        ProxyHeader header = ProxyHeader.v2(endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443),
                List.of(Tlv.of(Tlv.ALPN, "h2"), Tlv.of(Tlv.AUTHORITY, "example.com")));

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        ProxyHeader decoded = assertDecodesFollowedByData(bytes, header);
        assertThat(decoded.tlv(Tlv.AUTHORITY).orElseThrow().valueAsString()).isEqualTo("example.com");
    }

    @Test
    void aV2HeaderWithACrc32cTlvCarriesTheChecksumOfTheWholeHeaderComputedWithTheFieldZeroed() throws Exception {
        // CRC32c of the header with the 4 CRC bytes zeroed, worked out with an independent bitwise
        // implementation (poly 0x82F63B78 reflected, init and final xor 0xFFFFFFFF), stored big-endian.
        byte[] bytes = hex(SIGNATURE + "21 11 00 18"
                + "c0 a8 00 01 c0 a8 00 0b dc 04 01 bb"
                + "01 00 02 68 32"
                + "03 00 04 76 32 3a 48");
        ProxyHeader header = ProxyHeader.v2(endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443),
                List.of(Tlv.of(Tlv.ALPN, "h2")));

        assertThat(new ProxyProtocolEncoder(true).encode(header)).isEqualTo(bytes);
        ProxyHeader decoded = assertDecodesFollowedByData(bytes, ProxyHeader.v2(header.source(),
                header.destination(), List.of(Tlv.of(Tlv.ALPN, "h2"), Tlv.of(Tlv.CRC32C, hex("76323a48")))));
        assertThat(encoder.encode(decoded)).isEqualTo(bytes);
    }

    @Test
    void aV2LocalHeaderWithACrc32cTlvIsVerifiedToo() throws Exception {
        byte[] bytes = hex(SIGNATURE + "20 00 00 07 03 00 04 a9 b8 7e 8f");

        assertThat(new ProxyProtocolEncoder(true).encode(ProxyHeader.v2Local())).isEqualTo(bytes);
        assertDecodesFollowedByData(bytes, ProxyHeader.v2Local(List.of(Tlv.of(Tlv.CRC32C, hex("a9b87e8f")))));
    }

    @Test
    void aCrc32cTlvPlacedByTheCallerGetsItsValueComputedWhereItStands() throws Exception {
        ProxyHeader header = ProxyHeader.v2Local(List.of(Tlv.of(Tlv.CRC32C, hex("deadbeef"))));

        assertThat(encoder.encode(header)).isEqualTo(hex(SIGNATURE + "20 00 00 07 03 00 04 a9 b8 7e 8f"));
    }

    @Test
    void aV2UnixStreamHeaderPadsEachPathToItsOneHundredAndEightBytes() throws Exception {
        byte[] src = ascii("/run/client.sock");
        byte[] dst = ascii("/run/app.sock");
        byte[] bytes = concat(hex(SIGNATURE + "21 31 00 d8"), Arrays.copyOf(src, 108), Arrays.copyOf(dst, 108));
        ProxyHeader header = ProxyHeader.v2Unix(Transport.UNIX_STREAM, src, dst, List.of());

        assertThat(encoder.encode(header)).isEqualTo(bytes);
        ProxyHeader decoded = assertDecodesFollowedByData(bytes, header);
        assertThat(decoded.unixDestination()).isEqualTo(dst);
        assertThat(decoded.source()).isNull();
    }

    @Test
    void encodingIntoABufferWritesAtItsPositionAndReturnsTheLength() {
        ByteBuffer out = ByteBuffer.allocate(64);
        out.put((byte) 'x');

        int written = encoder.encode(ProxyHeader.v1Unknown(), out);

        assertThat(written).isEqualTo(15);
        assertThat(out.position()).isEqualTo(16);
        assertThat(Arrays.copyOfRange(out.array(), 1, 16)).isEqualTo(ascii("PROXY UNKNOWN\r\n"));
        assertThat(new String(out.array(), 0, 1, StandardCharsets.US_ASCII)).isEqualTo("x");
    }

    /** Decodes {@code header} followed by an HTTP request; checks the header, the length and what is left. */
    private ProxyHeader assertDecodesFollowedByData(byte[] bytes, ProxyHeader expected) throws Exception {
        ByteBuffer in = buffer(concat(bytes, HTTP_REQUEST));

        Result result = decoder.decode(in);

        assertThat(result.isComplete()).isTrue();
        assertThat(result.header()).isEqualTo(expected);
        assertThat(result.headerLength()).isEqualTo(bytes.length);
        assertThat(in.position()).isEqualTo(bytes.length);
        assertThat(remaining(in)).isEqualTo(HTTP_REQUEST);
        return result.header();
    }

    static InetSocketAddress endpoint(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
