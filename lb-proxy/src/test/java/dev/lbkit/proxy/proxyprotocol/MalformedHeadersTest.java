package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.ascii;
import static dev.lbkit.proxy.proxyprotocol.Bytes.buffer;
import static dev.lbkit.proxy.proxyprotocol.Bytes.concat;
import static dev.lbkit.proxy.proxyprotocol.Bytes.hex;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_ADDRESS;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_CHECKSUM;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_COMMAND;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_FAMILY;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_LENGTH;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_PORT;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_SIGNATURE;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_SYNTAX;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_TLV;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.BAD_VERSION;
import static dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason.TOO_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed input, one vector per rule of the spec: each must fail with its reason, a message that names the
 * offending value, and no byte consumed.
 */
class MalformedHeadersTest {
    private static final String SIG = "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a";
    private static final String TCP4_ADDRESSES = "c0 a8 00 01 c0 a8 00 0b dc 04 01 bb";

    static Stream<Arguments> vectors() {
        return Stream.of(
                // not a PROXY header at all
                v("an HTTP request where the header should be", "GET / HTTP/1.1\r\n", BAD_SIGNATURE, "GET / HTTP"),
                v("a TLS ClientHello", hex("16 03 01 02 00 01 00 01 fc 03 03"), BAD_SIGNATURE, "\\x16"),
                v("PROXY misspelt", "PROXZ TCP4 1.2.3.4 5.6.7.8 1 2\r\n", BAD_SIGNATURE, "PROXZ"),
                v("proxy in lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", BAD_SIGNATURE, "proxy"),
                v("PROXY without its space", "PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n", BAD_SIGNATURE, "PROXY\\x09"),
                v("a v2 signature with a wrong sixth byte", hex("0d 0a 0d 0a 00 0a 0a 51 55 49 54 0a 21 11 00 00"),
                        BAD_SIGNATURE, "\\r\\n\\r\\n\\x00\\n"),
                // version 1 layout
                v("a v1 line without CRLF in 107 bytes", "PROXY UNKNOWN " + "a".repeat(93), TOO_LONG, "107"),
                v("a v1 line ending in LF alone", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", BAD_SYNTAX, "LF without CR"),
                v("a v1 line with CR not followed by LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", BAD_SYNTAX,
                        "CR not followed by LF"),
                v("an unknown v1 protocol", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", BAD_FAMILY, "'TCP5'"),
                v("UDP4 in v1", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", BAD_FAMILY, "'UDP4'"),
                v("UNKNOWN glued to more letters", "PROXY UNKNOWNX\r\n", BAD_FAMILY, "'UNKNOWNX'"),
                v("two spaces after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", BAD_FAMILY, "''"),
                v("a v1 line missing the destination port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", BAD_SYNTAX,
                        "4 fields"),
                v("a v1 line with an extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", BAD_SYNTAX, "6 fields"),
                v("a v1 line with two spaces between fields", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", BAD_SYNTAX,
                        "empty field"),
                v("a v1 line with a space before CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", BAD_SYNTAX,
                        "empty field"),
                v("TCP4 and nothing else", "PROXY TCP4\r\n", BAD_SYNTAX, "TCP4"),
                // version 1 addresses and ports
                v("an IPv4 octet over 255", "PROXY TCP4 192.168.0.256 192.168.0.11 1 2\r\n", BAD_ADDRESS,
                        "'192.168.0.256'"),
                v("an IPv4 octet with a leading zero", "PROXY TCP4 192.168.00.1 192.168.0.11 1 2\r\n",
                        BAD_ADDRESS, "'192.168.00.1'"),
                v("an IPv4 address of three numbers", "PROXY TCP4 192.168.1 192.168.0.11 1 2\r\n", BAD_ADDRESS,
                        "'192.168.1'"),
                v("a host name instead of an address", "PROXY TCP4 localhost 192.168.0.11 1 2\r\n", BAD_ADDRESS,
                        "localhost"),
                v("TCP4 with IPv6 addresses", "PROXY TCP4 ::1 ::1 1 2\r\n", BAD_ADDRESS, "IPv6 source address '::1'"),
                v("TCP6 with an IPv4 address", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", BAD_ADDRESS,
                        "IPv4 source address '1.2.3.4'"),
                v("an IPv6 address with a zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", BAD_ADDRESS, "fe80::1%eth0"),
                v("an IPv6 address of nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", BAD_ADDRESS,
                        "'1:2:3:4:5:6:7:8:9'"),
                v("an IPv6 address with two double colons", "PROXY TCP6 1::2::3 ::1 1 2\r\n", BAD_ADDRESS,
                        "'1::2::3'"),
                v("an IPv6 group of five digits", "PROXY TCP6 12345::1 ::1 1 2\r\n", BAD_ADDRESS, "'12345::1'"),
                v("a non-ASCII byte in an address", concat(ascii("PROXY TCP4 1.2.3."), hex("b9"),
                        ascii(" 5.6.7.8 1 2\r\n")), BAD_ADDRESS, "\\xb9"),
                v("port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 443\r\n", BAD_PORT, "'65536'"),
                v("a port with a leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 1 0443\r\n", BAD_PORT, "'0443'"),
                v("a negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 443\r\n", BAD_PORT, "-"),
                v("a six-digit port", "PROXY TCP4 1.2.3.4 5.6.7.8 100000 443\r\n", BAD_PORT, "'100000'"),
                // version 2 fixed part
                v("v2 version nibble 1", hex(SIG + "11 11 00 0c" + TCP4_ADDRESSES), BAD_VERSION, "0x11"),
                v("v2 version nibble 3", hex(SIG + "31 11 00 0c" + TCP4_ADDRESSES), BAD_VERSION, "version 3"),
                v("v2 command 2", hex(SIG + "22 11 00 0c" + TCP4_ADDRESSES), BAD_COMMAND, "command 2"),
                v("v2 command 15", hex(SIG + "2f 11 00 0c" + TCP4_ADDRESSES), BAD_COMMAND, "command 15"),
                v("v2 family 4", hex(SIG + "21 41 00 0c" + TCP4_ADDRESSES), BAD_FAMILY, "0x41"),
                v("v2 transport protocol 3", hex(SIG + "21 13 00 0c" + TCP4_ADDRESSES), BAD_FAMILY, "0x13"),
                v("v2 AF_INET with protocol UNSPEC", hex(SIG + "21 10 00 0c" + TCP4_ADDRESSES), BAD_FAMILY, "0x10"),
                v("v2 length shorter than the IPv4 address block", hex(SIG + "21 11 00 0b c0 a8 00 01 c0 a8 00 0b"
                        + "dc 04 01"), BAD_LENGTH, "length 11"),
                v("v2 length zero for TCP6", hex(SIG + "21 21 00 00"), BAD_LENGTH, "36-byte"),
                v("v2 length zero for a UNIX socket", hex(SIG + "21 31 00 00"), BAD_LENGTH, "216-byte"),
                v("v2 header longer than the maximum", hex(SIG + "21 11 ff ff"), TOO_LONG, "65551"),
                // version 2 TLVs
                v("a TLV running past the header", hex(SIG + "21 11 00 11" + TCP4_ADDRESSES + "01 00 03 68 32"),
                        BAD_TLV, "announces 3 value bytes but only 2 remain"),
                v("two bytes after the last TLV", hex(SIG + "21 11 00 11" + TCP4_ADDRESSES + "04 00 00 04 00"),
                        BAD_TLV, "2 bytes after its last TLV"),
                v("a CRC32C TLV of 3 bytes", hex(SIG + "21 11 00 12" + TCP4_ADDRESSES + "03 00 03 00 00 00"),
                        BAD_TLV, "CRC32C"),
                v("two CRC32C TLVs", hex(SIG + "21 00 00 0e 03 00 04 00 00 00 00 03 00 04 00 00 00 00"), BAD_TLV,
                        "more than one CRC32C"),
                v("a UNIQUE_ID of 129 bytes", concat(hex(SIG + "21 00 00 84 05 00 81"), new byte[129]), BAD_TLV,
                        "UNIQUE_ID"),
                v("an SSL TLV of 4 bytes", hex(SIG + "21 00 00 07 20 00 04 01 00 00 00"), BAD_TLV, "SSL"),
                v("a CRC32C on LOCAL that does not match", hex(SIG + "20 00 00 07 03 00 04 a9 b8 7e 8e"), BAD_CHECKSUM,
                        "0xa9b87e8e"),
                v("a CRC32C over a header changed after it was computed", hex(SIG + "21 11 00 18"
                        + "c0 a8 00 02 c0 a8 00 0b dc 04 01 bb 01 00 02 68 32 03 00 04 76 32 3a 48"), BAD_CHECKSUM,
                        "0x76323a48"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void isRefusedWithItsReasonAMessageNamingTheValueAndNothingConsumed(
            String name, byte[] bytes, Reason reason, String inMessage) {
        ByteBuffer in = buffer(bytes);

        ProxyProtocolException e = catchThrowableOfType(ProxyProtocolException.class,
                () -> new ProxyProtocolDecoder().decode(in));

        assertThat(e).as(name).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(inMessage);
        assertThat(in.position()).isZero();
        assertThat(in.remaining()).isEqualTo(bytes.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void isRefusedAgainWhenOfferedAgain(String name, byte[] bytes, Reason reason, String inMessage) {
        ByteBuffer in = buffer(bytes);
        ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();
        catchThrowableOfType(ProxyProtocolException.class, () -> decoder.decode(in));

        ProxyProtocolException again = catchThrowableOfType(ProxyProtocolException.class, () -> decoder.decode(in));

        assertThat(again).as(name).isNotNull();
        assertThat(again.reason()).isEqualTo(reason);
    }

    private static Arguments v(String name, String text, Reason reason, String inMessage) {
        return v(name, ascii(text), reason, inMessage);
    }

    private static Arguments v(String name, byte[] bytes, Reason reason, String inMessage) {
        return Arguments.of(name, bytes, reason, inMessage);
    }
}
