package dev.lbkit.examples.appliance.realserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RealServerHelperTest {
    private static String render(String... args) {
        return RealServerHelper.render(RealServerHelper.parse(args));
    }

    @Test
    void directRoutingOnLinuxSuppressesArpAndPutsTheVipOnLoopback() {
        String out = render("--mode", "dr", "--vip", "10.0.0.21:80", "--os", "linux");
        assertThat(out).contains("sysctl -w net.ipv4.conf.all.arp_ignore=1\n")
                .contains("sysctl -w net.ipv4.conf.all.arp_announce=2\n")
                .contains("sysctl -w net.ipv4.conf.eth0.arp_ignore=1\n")
                .contains("ip addr add 10.0.0.21/32 dev lo\n")
                .contains("# iptables -t nat -A PREROUTING -p tcp -d 10.0.0.21 --dport 80 -j REDIRECT\n")
                .doesNotContain("netsh");
    }

    @Test
    void directRoutingOnWindowsUsesTheLoopbackAdapterAndWeakHostModel() {
        String out = render("--mode", "dr", "--vip", "10.0.0.21:80/tcp", "--os", "windows");
        assertThat(out).contains("netsh interface ipv4 add address \"loopback\" 10.0.0.21 255.255.255.255\n")
                .contains("netsh interface ipv4 set interface \"net\" weakhostreceive=enabled\n")
                .contains("netsh interface ipv4 set interface \"loopback\" weakhostreceive=enabled\n")
                .contains("netsh interface ipv4 set interface \"loopback\" weakhostsend=enabled\n")
                .contains("netsh advfirewall firewall add rule name=\"lbkit VIP 10.0.0.21\" dir=in action=allow "
                        + "protocol=TCP localip=10.0.0.21 localport=80\n")
                .contains("interface metric to 254")
                .doesNotContain("sysctl");
    }

    @Test
    void directRoutingWithIpv6UsesA128PrefixAndNoArpSysctls() {
        String out = render("--mode", "dr", "--vip", "[2001:db8::21]:443", "--os", "linux");
        assertThat(out).contains("ip -6 addr add 2001:db8:0:0:0:0:0:21/128 dev lo\n").doesNotContain("arp_ignore");
    }

    @Test
    void natMakesTheLoadBalancerTheDefaultGatewayOnBothSystems() {
        String out = render("--mode", "nat", "--gateway", "192.168.1.1");
        assertThat(out).contains("ip route replace default via 192.168.1.1\n")
                .contains("route -p add 0.0.0.0 mask 0.0.0.0 192.168.1.1\n")
                .doesNotContain("arp_ignore").doesNotContain("dev lo");
    }

    @Test
    void tunnelAddsAnIpipInterfaceWithTheVipAndRelaxesReversePathFiltering() {
        String out = render("--mode", "tun", "--vip", "10.0.0.21");
        assertThat(out).contains("modprobe ipip\n").contains("ip link set tunl0 up\n")
                .contains("ip addr add 10.0.0.21/32 dev tunl0\n")
                .contains("sysctl -w net.ipv4.conf.tunl0.arp_ignore=1\n")
                .contains("sysctl -w net.ipv4.conf.tunl0.rp_filter=0\n")
                .contains("Windows cannot decapsulate");
    }

    @Test
    void badOptionsNameTheOptionAndValue() {
        assertThatThrownBy(() -> RealServerHelper.parse(new String[] {"--mode", "fast", "--vip", "10.0.0.1"}))
                .hasMessageStartingWith("--mode must be dr, nat or tun but was 'fast'");
        assertThatThrownBy(() -> RealServerHelper.parse(new String[] {"--mode", "dr", "--vip", "www.example.com"}))
                .hasMessageContaining("'www.example.com'");
        assertThatThrownBy(() -> RealServerHelper.parse(new String[] {"--mode", "nat"}))
                .hasMessageStartingWith("--gateway is required with --mode nat");
        assertThatThrownBy(() -> RealServerHelper.parse(new String[] {"--mode", "dr"}))
                .hasMessageStartingWith("--vip is required");
        assertThatThrownBy(() -> RealServerHelper.parse(new String[] {"--mode", "dr", "--vip", "10.0.0.1:70000"}))
                .hasMessageContaining("port must be 1..65535");
    }
}
