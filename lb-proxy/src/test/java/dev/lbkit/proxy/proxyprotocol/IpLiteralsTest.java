package dev.lbkit.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address literals as the v1 line writes and reads them, without a resolver. */
class IpLiteralsTest {

    @ParameterizedTest
    @CsvSource({
            "2001:db8:0:0:1:0:0:1,    2001:db8::1:0:0:1",   // RFC 5952 4.2.3: the first of equal runs
            "2001:0db8::0001,         2001:db8::1",         // 4.1: no leading zeros
            "2001:db8:0:1:1:1:1:1,    2001:db8:0:1:1:1:1:1", // 4.2.2: one zero group stays
            "2001:db8:0:0:0:1:0:0,    2001:db8::1:0:0",     // 4.2.1: the longest run
            "2001:DB8::AbCd,          2001:db8::abcd",      // 4.3: lower case
            "0:0:0:0:0:0:0:0,         ::",
            "0:0:0:0:0:0:0:1,         ::1",
            "1:0:0:0:0:0:0:0,         1::",
            "::ffff:192.0.2.1,        ::ffff:c000:201",     // no dotted quad: the PROXY spec's hex groups
            "1:2:3:4:5:6:1.2.3.4,     1:2:3:4:5:6:102:304",
            "1:2:3:4:5:6:7::,         1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8,         0:2:3:4:5:6:7:8"})
    void anIpv6LiteralIsReadInAnyInetPtonFormAndWrittenInRfc5952Form(String text, String canonical) {
        assertThat(IpLiterals.formatIpv6(IpLiterals.parseIpv6(text))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "1::2:", "1:::2",
            "1::2::3", "::ffff:1.2.3", "::1.2.3.4:5", "1.2.3.4::", "[::1]", "fe80::1%1", "12345::", "g::",
            "1:2:3:4:5:6:7:1.2.3.4", "::01.2.3.4", "::1.2.3.256", "1:2:3:4:5:6:7:8::", "::1 "})
    void anythingElseIsNotAnIpv6Literal(String text) {
        assertThat(IpLiterals.parseIpv6(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.4.",
            ".1.2.3", "1.2.3.-4", "1.2.3.+4", "0x1.2.3.4", "1.2.3.4 ", "١.2.3.4", "1234.1.1.1"})
    void onlyAStrictDottedQuadIsAnIpv4Literal(String text) {
        assertThat(IpLiterals.parseIpv4(text)).isNull();
    }

    @Property
    void anyIpv6AddressIsWrittenSoThatBothThisParserAndTheJdkReadItBack(@ForAll @Size(16) byte[] address)
            throws Exception {
        String text = IpLiterals.formatIpv6(address);

        assertThat(text).hasSizeLessThanOrEqualTo(39).isEqualTo(text.toLowerCase()).doesNotContain(":::");
        assertThat(IpLiterals.parseIpv6(text)).isEqualTo(address);
        assertThat(IpLiterals.toIpv6Bytes(InetAddress.getByName(text))).isEqualTo(address); // a literal: no lookup
    }

    @Property
    void anyIpv4AddressIsWrittenAsADottedQuadAndReadBack(@ForAll @Size(4) byte[] address) throws Exception {
        String text = IpLiterals.formatIpv4(address);

        assertThat(IpLiterals.parseIpv4(text)).isEqualTo(address);
        assertThat(InetAddress.getByName(text).getAddress()).isEqualTo(address);
    }
}
