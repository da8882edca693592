package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VrrpInstanceConfigTest {

    static VrrpInstanceConfig.Builder valid() {
        return VrrpInstanceConfig.builder("vi_51").interfaceName("eth0").vrid(51).virtualAddress("10.0.0.100/24");
    }

    @Test
    void defaultsAreKeepalivedsWhereItHasOne() {
        VrrpInstanceConfig c = valid().build();
        assertThat(c.priority()).isEqualTo(100);
        assertThat(c.advertCentis()).isEqualTo(100);
        assertThat(c.preempt()).isTrue();
        assertThat(c.checksumMode()).isEqualTo(ChecksumMode.PSEUDO_HEADER);
        assertThat(c.garpCount()).isEqualTo(5);
        assertThat(c.isUnicast()).isFalse();
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void eachInvalidFieldIsNamedWithItsValue() {
        assertThatThrownBy(() -> valid().vrid(0).build()).hasMessage("vrrp instance 'vi_51': vrid must be 1..255 but was 0");
        assertThatThrownBy(() -> valid().priority(256).build())
                .hasMessage("vrrp instance 'vi_51': priority must be 1..255 but was 256");
        assertThatThrownBy(() -> valid().advertInterval(Duration.ofMillis(15)).build())
                .hasMessage("vrrp instance 'vi_51': advertInterval must be 10 ms..40.95 s in steps of 10 ms but was PT0.015S");
        assertThatThrownBy(() -> valid().virtualAddress("10.0.0.1/33").build())
                .hasMessage("virtualAddress '10.0.0.1': prefix length must be 1..32 but was 33");
        assertThatThrownBy(() -> valid().virtualAddress("vip.example.com").build())
                .hasMessage("virtualAddress 'vip.example.com': not a literal IP address");
        assertThatThrownBy(() -> valid().virtualAddress("2001:db8::1/64").build())
                .hasMessageStartingWith("vrrp instance 'vi_51': virtualAddresses must all be of one family");
        assertThatThrownBy(() -> valid().interfaceName("averyveryverylongname").build())
                .hasMessage("vrrp instance 'vi_51': interfaceName must be 1..15 characters but was 'averyveryverylongname'");
        assertThatThrownBy(() -> valid().label("eth1:vip").build())
                .hasMessageContaining("label must start with the interface name 'eth0'");
        assertThatThrownBy(() -> valid().trackInterface("eth1", 300).build())
                .hasMessage("vrrp instance 'vi_51': trackedInterface 'eth1': weight must be 0..254 but was 300");
        assertThatThrownBy(() -> valid().unicastPeer("2001:db8::2").build())
                .hasMessage("vrrp instance 'vi_51': unicastPeer 2001:db8:0:0:0:0:0:2 is not of the virtual addresses' family");
        assertThatThrownBy(() -> valid().garpCount(0).build())
                .hasMessage("vrrp instance 'vi_51': garpCount must be 1..100 but was 0");
    }

    @Test
    void theHarnessEnvironmentBecomesOneInstance() {
        VrrpNodeMain.Parsed p = VrrpNodeMain.parse(new String[] {"--garp-refresh", "0"}, Map.of("VRRP_IFACE", "vb-eth0",
                "VRRP_VRID", "51", "VRRP_PRIORITY", "150", "VRRP_VIP", "10.76.98.100/24", "VRRP_ADVERT_S", "0.1",
                "VRRP_PEER", "", "VRRP_SRC", "10.76.98.1", "VRRP_PREEMPT", "1"));
        VrrpInstanceConfig c = p.config();
        assertThat(c.interfaceName()).isEqualTo("vb-eth0");
        assertThat(c.priority()).isEqualTo(150);
        assertThat(c.advertCentis()).isEqualTo(10);
        assertThat(c.virtualAddresses()).hasToString("[10.76.98.100/24]");
        assertThat(c.unicastPeers()).isEmpty();
        assertThat(c.unicastSource()).isNull(); // multicast: the interface's own address
        assertThat(c.garpRefreshDelay()).isZero();
        VrrpNodeMain.Parsed u = VrrpNodeMain.parse(new String[] {"--checksum", "nopseudo", "--nopreempt"},
                Map.of("VRRP_IFACE", "vb-eth0", "VRRP_VRID", "51", "VRRP_VIP", "10.76.98.100/24", "VRRP_PEER",
                        "10.76.98.2", "VRRP_SRC", "10.76.98.1"));
        assertThat(u.config().unicastPeers()).hasToString("[/10.76.98.2]");
        assertThat(u.config().unicastSource()).hasToString("/10.76.98.1");
        assertThat(u.config().checksumMode()).isEqualTo(ChecksumMode.NO_PSEUDO_HEADER);
        assertThat(u.config().preempt()).isFalse();
        assertThatThrownBy(() -> VrrpNodeMain.parse(new String[] {"--checksum", "maybe"}, Map.of("VRRP_IFACE", "x",
                "VRRP_VRID", "1", "VRRP_VIP", "10.0.0.1")))
                .hasMessage("--checksum must be pseudo or nopseudo but was 'maybe'");
    }
}
