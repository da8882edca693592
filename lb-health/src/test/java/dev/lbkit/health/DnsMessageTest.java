package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The DNS codec on exact bytes, no socket. */
class DnsMessageTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void aQueryIsTheHeaderWithRecursionDesiredAndOneQuestion() {
        byte[] q = DnsMessage.query(0xbeef, "www.example.com.", 1);
        assertThat(HexFormat.of().formatHex(q)).isEqualTo(
                "beef" + "0100" + "0001" + "0000" + "0000" + "0000"
                        + "03777777" + "076578616d706c65" + "03636f6d" + "00" + "0001" + "0001");
    }

    /** A response for www.example.com A with a CNAME and an A record, names compressed (RFC 1035 4.1.4). */
    static final byte[] RESPONSE = hex("beef 8180 0001 0002 0000 0000"
            + "03777777 076578616d706c65 03636f6d 00 0001 0001"   // question at offset 12
            + "c00c 0005 0001 0000012c 0006 03636466 c010"       // www.example.com CNAME cdf.example.com
            + "c02d 0001 0001 0000012c 0004 0a000001");          // cdf.example.com A 10.0.0.1

    @Test
    void aResponseDecodesWithCompressedNames() throws Exception {
        DnsMessage.Response r = DnsMessage.decode(RESPONSE, RESPONSE.length);
        assertThat(r.id()).isEqualTo(0xbeef);
        assertThat(r.isResponse()).isTrue();
        assertThat(r.rcode()).isZero();
        assertThat(r.questionName()).isEqualTo("www.example.com");
        assertThat(r.questionType()).isEqualTo(1);
        assertThat(r.answers()).extracting(DnsMessage.Record::data).containsExactly("cdf.example.com", "10.0.0.1");
        assertThat(r.answers().get(1).name()).isEqualTo("cdf.example.com");
        assertThat(r.answers().get(1).ttl()).isEqualTo(300);
    }

    @Test
    void aTxtRecordJoinsItsStrings() throws Exception {
        byte[] m = hex("0001 8180 0000 0001 0000 0000 01 61 00 0010 0001 00000000 0007 02 6f 6b 03 20 79 6f");
        assertThat(DnsMessage.decode(m, m.length).answers().get(0).data()).isEqualTo("ok yo");
    }

    @Test
    void aCompressionLoopIsMalformed() {
        byte[] m = hex("0001 8180 0001 0000 0000 0000 c00c 0001 0001");
        assertThatThrownBy(() -> DnsMessage.decode(m, m.length)).isInstanceOf(DnsMessage.Malformed.class)
                .hasMessage("name at offset 12 has a compression loop");
    }

    @Test
    void aTruncatedMessageIsMalformedNamingWhere() {
        assertThatThrownBy(() -> DnsMessage.decode(RESPONSE, 40)).isInstanceOf(DnsMessage.Malformed.class)
                .hasMessageContaining("offset");
        assertThatThrownBy(() -> DnsMessage.decode(RESPONSE, 5)).isInstanceOf(DnsMessage.Malformed.class)
                .hasMessage("response of 5 bytes is shorter than the 12-byte header");
    }

    @Test
    void anAddressRecordOfTheWrongLengthIsMalformed() {
        byte[] m = hex("0001 8180 0000 0001 0000 0000 00 0001 0001 00000000 0003 0a0000");
        assertThatThrownBy(() -> DnsMessage.decode(m, m.length)).isInstanceOf(DnsMessage.Malformed.class)
                .hasMessage("A record of 3 bytes, not 4");
    }

    @Test
    void rcodesHaveTheirNames() {
        assertThat(DnsMessage.rcodeName(3)).isEqualTo("NXDOMAIN");
        assertThat(DnsMessage.rcodeName(2)).isEqualTo("SERVFAIL");
    }
}
