package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
            "2001:db8:0:0:0:0:0:1,        2001:db8::1",
            "0:0:0:0:0:0:0:0,              ::",
            "0:0:0:0:0:0:0:1,              ::1",
            "1:0:0:0:0:0:0:0,              1::",
            "2001:db8:0:0:1:0:0:1,         2001:db8::1:0:0:1",   // RFC 5952 4.2.3: the first of equal runs
            "2001:db8:0:1:0:0:0:1,         2001:db8:0:1::1",     // 4.2.3: the longest run
            "2001:db8:0:1:1:1:1:1,         2001:db8:0:1:1:1:1:1", // 4.2.2: a single zero group stays
            "2001:DB8:AAAA:0:0:0:0:F,      2001:db8:aaaa::f",    // 4.3: lower case
            "fe80:0:0:0:0:0:0:0012,        fe80::12",            // 4.1: no leading zeros
    })
    void writesIpv6AddressesInTheirRfc5952Form(String input, String expected) throws UnknownHostException {
        assertThat(Addresses.text(InetAddress.getByName(input))).isEqualTo(expected);
        assertThat(Addresses.format(InetAddress.getByName(input), 80)).isEqualTo("[" + expected + "]:80");
    }

    @Property
    void theCompressedFormParsesBackToTheSameAddress(@ForAll @Size(16) byte[] bytes) throws UnknownHostException {
        // Bias towards zero groups so that compression is exercised, not only the rare all-nonzero case.
        for (int i = 0; i < 16; i += 2) {
            if ((bytes[i] & 3) == 0) {
                bytes[i] = 0;
                bytes[i + 1] = 0;
            }
        }
        String text = Addresses.compressIpv6(bytes);

        assertThat(InetAddress.getByName(text).getAddress()).isEqualTo(bytes);
        assertThat(text).doesNotContain(":::").doesNotContain("::0:").isEqualTo(text.toLowerCase());
        assertThat(text.indexOf("::")).isEqualTo(text.lastIndexOf("::"));
    }
}
