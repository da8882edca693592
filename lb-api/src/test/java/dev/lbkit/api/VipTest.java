package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VipTest {

    @Test
    void parsesAnIpv4AddressPortAndProtocol() throws UnknownHostException {
        Vip vip = Vip.parse("10.0.0.1:80/tcp");

        assertThat(vip).isEqualTo(Vip.of(InetAddress.getByName("10.0.0.1"), 80, Protocol.TCP));
        assertThat(vip.family()).isEqualTo(IpFamily.IPV4);
        assertThat(vip).hasToString("10.0.0.1:80/tcp");
    }

    @Test
    void parsesABracketedIpv6AddressPortAndProtocol() throws UnknownHostException {
        Vip vip = Vip.parse("[2001:db8::1]:443/tcp");

        assertThat(vip).isEqualTo(Vip.of(InetAddress.getByName("2001:db8::1"), 443, Protocol.TCP));
        assertThat(vip.family()).isEqualTo(IpFamily.IPV6);
        assertThat(vip).hasToString("[2001:db8::1]:443/tcp");
    }

    @Test
    void parsesUdpAndSctpInAnyCase() throws UnknownHostException {
        InetAddress a = InetAddress.getByName("10.0.0.1");

        assertThat(Vip.parse("10.0.0.1:53/udp")).isEqualTo(Vip.of(a, 53, Protocol.UDP));
        assertThat(Vip.parse("10.0.0.1:3868/SCTP")).isEqualTo(Vip.of(a, 3868, Protocol.SCTP));
    }

    @Test
    void parsesAnIpv4FirewallMark() {
        Vip vip = Vip.parse("fwmark:12");

        assertThat(vip).isEqualTo(Vip.firewallMark(12)).isEqualTo(Vip.firewallMark(12, IpFamily.IPV4));
        assertThat(vip.family()).isEqualTo(IpFamily.IPV4);
        assertThat(vip).hasToString("fwmark:12");
    }

    @Test
    void parsesAnIpv6FirewallMark() {
        Vip vip = Vip.parse("fwmark:12/ipv6");

        assertThat(vip).isEqualTo(Vip.firewallMark(12, IpFamily.IPV6));
        assertThat(vip.family()).isEqualTo(IpFamily.IPV6);
        assertThat(vip).hasToString("fwmark:12/ipv6");
    }

    @Test
    void firewallMarksAreUnsignedThirtyTwoBitNumbers() {
        Vip vip = Vip.parse("fwmark:4294967295");

        assertThat(((Vip.FirewallMark) vip).mark()).isEqualTo(-1);
        assertThat(vip).hasToString("fwmark:4294967295");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.0.0.1:80",            // no protocol
        "10.0.0.1/tcp",           // no port
        "10.0.0.1:http/tcp",      // port not a number
        "10.0.0.1:65536/tcp",     // port out of range
        "10.0.0.1:-1/tcp",
        "10.0.0.1:80/icmp",       // unknown protocol
        "2001:db8::1:443/tcp",    // IPv6 without brackets
        "[2001:db8::1]/tcp",
        "10.0.0.256:80/tcp",      // not an IPv4 literal
        "10.0.0:80/tcp",
        "example.com:80/tcp",     // a host name: never looked up
        "localhost:80/tcp",
        "[zz::1]:80/tcp",         // not hex: the JDK would look it up as a name
        "fwmark:0",               // mark 0 is no mark
        "fwmark:4294967296",
        "fwmark:twelve",
        "fwmark:12/ipv5",
        "",
    })
    void rejectsTextThatIsNotAVipNamingTheText(String text) {
        assertThatThrownBy(() -> Vip.parse(text))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vip must look like")
                .hasMessageContaining("but was '" + text + "'");
    }

    @Test
    void rejectionSaysWhatIsWrong() {
        assertThatThrownBy(() -> Vip.parse("10.0.0.1:80"))
                .hasMessageContaining("'10.0.0.1:80'").hasMessageContaining("protocol missing");
        assertThatThrownBy(() -> Vip.parse("2001:db8::1:443/tcp"))
                .hasMessageContaining("an IPv6 address must be in brackets");
        assertThatThrownBy(() -> Vip.parse("10.0.0.1:70000/tcp"))
                .hasMessageContaining("vip port must be 0..65535 but was 70000");
        assertThatThrownBy(() -> Vip.parse("example.com:80/tcp"))
                .hasMessageContaining("'example.com' is not an IP address");
        assertThatThrownBy(() -> Vip.parse("10.0.0.1:80/icmp"))
                .hasMessageContaining("protocol must be tcp, udp or sctp but was 'icmp'");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Vip.parse(null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("vip must not be null");
    }

    /**
     * Java 17 has no pluggable resolver, but {@code InetAddress} asks the security manager's {@code checkConnect(host,
     * -1)} before every name lookup and never for a literal, so a manager that refuses it catches any lookup.
     */
    @Test
    @SuppressWarnings("removal")
    void parsingNeverLooksUpAName() {
        List<String> lookups = new ArrayList<>();
        SecurityManager previous = System.getSecurityManager();
        try {
            System.setSecurityManager(new SecurityManager() {
                @Override
                public void checkConnect(String host, int port) {
                    if (port == -1) {
                        lookups.add(host);
                        throw new SecurityException("test forbids looking up " + host);
                    }
                }

                @Override
                public void checkPermission(Permission perm) {}
            });
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("this JDK does not allow a security manager: " + e.getMessage());
        }
        try {
            for (String text : List.of("example.com:80/tcp", "[zz::1]:80/tcp", "[g:1]:80/tcp", "[.:1]:80/tcp",
                    "[example.com]:80/tcp", "[localhost]:80/tcp")) {
                assertThatThrownBy(() -> Vip.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> RealServer.builder("app1").address("zz::1"))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("real server 'app1': address: 'zz::1' is not an IP address");
            assertThat(Vip.parse("[2001:db8::1]:443/tcp").family()).isEqualTo(IpFamily.IPV6);
        } finally {
            System.setSecurityManager(previous);
        }
        assertThat(lookups).isEmpty();
    }

    @Property
    void parsingTheTextOfAVipGivesTheSameVip(@ForAll("vips") Vip vip) {
        assertThat(Vip.parse(vip.toString())).isEqualTo(vip);
        assertThat(Vip.parse(vip.toString())).hasToString(vip.toString());
    }

    @Provide
    Arbitrary<Vip> vips() {
        Arbitrary<InetAddress> addresses = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.bytes().array(byte[].class).ofSize(16))
                .map(VipTest::address);
        Arbitrary<Vip> sockets = Combinators.combine(addresses, Arbitraries.integers().between(0, 65535),
                Arbitraries.of(Protocol.class)).as(Vip::of);
        Arbitrary<Vip> marks = Combinators.combine(Arbitraries.integers().filter(m -> m != 0),
                Arbitraries.of(IpFamily.class)).as(Vip::firewallMark);
        return Arbitraries.oneOf(sockets, marks);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
