package dev.lbkit.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The networks a listener takes PROXY headers from. */
class TrustedSourcesTest {

    @Test
    void anAddressIsTrustedWhenItLiesInOneOfTheNetworks() {
        TrustedSources trusted = TrustedSources.of("127.0.0.0/8", "::1/128", "10.0.0.0/8");

        assertThat(trusted.contains(ip("127.0.0.1"))).isTrue();
        assertThat(trusted.contains(ip("127.255.255.255"))).isTrue();
        assertThat(trusted.contains(ip("10.200.0.1"))).isTrue();
        assertThat(trusted.contains(ip("::1"))).isTrue();
        assertThat(trusted.contains(ip("128.0.0.1"))).isFalse();
        assertThat(trusted.contains(ip("11.0.0.1"))).isFalse();
        assertThat(trusted.contains(ip("::2"))).isFalse();
        assertThat(trusted.contains(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void noneTrustsNobodyAndAllTrustsEveryone() {
        assertThat(TrustedSources.none().contains(ip("127.0.0.1"))).isFalse();
        assertThat(TrustedSources.none().isEmpty()).isTrue();
        assertThat(TrustedSources.all().contains(ip("1.2.3.4"))).isTrue();
        assertThat(TrustedSources.all().contains(ip("2001:db8::1"))).isTrue();
        assertThat(TrustedSources.all().networks()).containsExactly("0.0.0.0/0", "::/0");
    }

    @Test
    void aBareAddressIsOneHost() {
        TrustedSources trusted = TrustedSources.of("192.0.2.7", "2001:db8::7");

        assertThat(trusted.contains(ip("192.0.2.7"))).isTrue();
        assertThat(trusted.contains(ip("192.0.2.8"))).isFalse();
        assertThat(trusted.contains(ip("2001:db8::7"))).isTrue();
        assertThat(trusted.networks()).containsExactly("192.0.2.7/32", "2001:db8::7/128");
    }

    @Test
    void anIpv4MappedAddressIsTrustedByItsIpv4Network() throws Exception {
        byte[] mapped = IpLiterals.parseIpv6("::ffff:10.1.2.3");
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);

        assertThat(TrustedSources.of("10.0.0.0/8").contains(v6)).isTrue();
        assertThat(TrustedSources.of("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void aListFromConfigurationMaySeparateWithCommasAndSpaces() {
        TrustedSources trusted = TrustedSources.parse(" 10.0.0.0/8, 192.168.0.0/16  2001:DB8:0::/32 ");

        assertThat(trusted.networks()).containsExactly("10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32");
        assertThat(TrustedSources.parse("  ")).isEqualTo(TrustedSources.none());
        assertThat(trusted).isEqualTo(TrustedSources.of(List.of("10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32")))
                .hasToString("TrustedSources[10.0.0.0/8, 192.168.0.0/16, 2001:db8::/32]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/ 8",
            "localhost", "example.com/8", "10.0.0/8", "010.0.0.0/8", "[::1]/128", "fe80::1%eth0/128", "",
            "10.0.0.1/8", "2001:db8::1/32"})
    void aValueThatIsNotANetworkIsRefusedNamingIt(String value) {
        assertThatThrownBy(() -> TrustedSources.of(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("trusted source '" + value + "'");
    }

    @Test
    void aNetworkWithHostBitsSetSuggestsTheFix() {
        assertThatThrownBy(() -> TrustedSources.of("10.0.0.1/8"))
                .hasMessageContaining("bits set past the /8 prefix").hasMessageContaining("/32 for one host");
    }

    @Property
    void aNetworkHoldsEveryAddressThatSharesItsPrefixAndNoOther(@ForAll @Size(16) byte[] network,
            @ForAll @Size(16) byte[] other, @ForAll @IntRange(max = 128) int bits) {
        byte[] masked = network.clone();
        for (int bit = bits; bit < 128; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        TrustedSources trusted = TrustedSources.of(IpLiterals.formatIpv6(masked) + "/" + bits);
        boolean samePrefix = true;
        for (int bit = 0; bit < bits; bit++) {
            int mask = 0x80 >>> (bit % 8);
            samePrefix &= (network[bit / 8] & mask) == (other[bit / 8] & mask);
        }

        assertThat(trusted.contains(ProxyHeaders.address(network))).isTrue();
        assertThat(trusted.contains(ProxyHeaders.address(other))).isEqualTo(samePrefix);
    }

    private static InetAddress ip(String literal) {
        return GoldenBytesTest.endpoint(literal, 0).getAddress();
    }
}
