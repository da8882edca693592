package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.lbkit.api.CookiePersistence.Mode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every cross-field rule of {@link VirtualServer.Builder#build()}, each with the message it gives. */
class VirtualServerValidationTest {
    private static final String WEB = "virtual server 'web' (10.0.0.1:80/tcp): ";
    private static final String WEB6 = "virtual server 'web' ([2001:db8::1]:80/tcp): ";

    private static VirtualServer.Builder web(ForwardingMethod method) {
        return VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(method);
    }

    private static VirtualServer.Builder web6(ForwardingMethod method) {
        return VirtualServer.builder("web").vip("[2001:db8::1]:80/tcp").forwardingMethod(method);
    }

    private static RealServer.Builder rs(String label, String address) {
        return RealServer.builder(label).address(address);
    }

    // --- port translation

    @Test
    void directRoutingRejectsPortTranslation() {
        assertThatThrownBy(() -> web(ForwardingMethod.DIRECT_ROUTING)
                .realServer(rs("app1", "10.0.0.2").port(8080).build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server 'app1': DIRECT_ROUTING cannot translate port 80 to 8080");
    }

    @Test
    void tunnelRejectsPortTranslation() {
        assertThatThrownBy(() -> web(ForwardingMethod.TUNNEL)
                .realServer(rs("app1", "10.0.0.2").port(8080).build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server 'app1': TUNNEL cannot translate port 80 to 8080");
    }

    @ParameterizedTest
    @EnumSource(names = {"DIRECT_ROUTING", "TUNNEL"})
    void methodsWithoutPortTranslationAcceptTheVipPortOrPortZero(ForwardingMethod method) {
        VirtualServer vs = web(method)
                .realServer(rs("app1", "10.0.0.2").port(80).build())
                .realServer(rs("app2", "10.0.0.3").port(0).build())
                .build();

        assertThat(vs.realServers()).extracting(r -> r.effectivePort(80)).containsExactly(80, 80);
    }

    @ParameterizedTest
    @EnumSource(names = {"NAT", "PROXY", "HTTP"})
    void natAndTheProxiesTranslatePorts(ForwardingMethod method) {
        VirtualServer vs = web(method).realServer(rs("app1", "10.0.0.2").port(8080).build()).build();

        assertThat(vs.realServer("app1")).get().extracting(r -> r.effectivePort(80)).isEqualTo(8080);
    }

    @Test
    void aRealServerOverridingToDirectRoutingCannotTranslateEvenBehindNat() {
        assertThatThrownBy(() -> web(ForwardingMethod.NAT)
                .realServer(rs("app1", "10.0.0.2").port(8080).forwardingMethod(ForwardingMethod.DIRECT_ROUTING)
                        .build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server 'app1': DIRECT_ROUTING cannot translate port 80 to 8080");
    }

    @Test
    void theFallbackServerFollowsThePortRuleToo() {
        assertThatThrownBy(() -> web(ForwardingMethod.DIRECT_ROUTING)
                .fallback(rs("sorry", "10.0.0.9").port(8080).build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "fallback server 'sorry': DIRECT_ROUTING cannot translate port 80 to 8080");
    }

    // --- persistence

    @ParameterizedTest
    @EnumSource(names = {"DIRECT_ROUTING", "NAT", "TUNNEL", "PROXY"})
    void cookiePersistenceNeedsAnHttpVirtualServer(ForwardingMethod method) {
        assertThatThrownBy(() -> web(method).persistence(PersistencePolicy.cookie(Mode.INSERT, "SRV")).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "cookie persistence needs forwarding method HTTP but was " + method);
    }

    @Test
    void cookiePersistenceIsAcceptedOnHttp() {
        PersistencePolicy cookie = PersistencePolicy.cookie(Mode.INSERT, "SRV");

        assertThat(web(ForwardingMethod.HTTP).persistence(cookie).build().persistence()).isEqualTo(cookie);
    }

    @Test
    void vipPortZeroNeedsSourceIpPersistence() {
        assertThatThrownBy(() -> VirtualServer.builder("all").vip("10.0.0.1:0/tcp").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'all' (10.0.0.1:0/tcp): VIP port 0 (every port) needs source-IP "
                        + "persistence, as IPVS requires, but persistence was none");
    }

    @Test
    void vipPortZeroWithSourceIpPersistenceIsAccepted() {
        VirtualServer vs = VirtualServer.builder("all").vip("10.0.0.1:0/tcp")
                .persistence(PersistencePolicy.sourceIp(Duration.ofMinutes(5)))
                .realServer(rs("app1", "10.0.0.2").build())
                .build();

        assertThat(vs.realServers()).hasSize(1);
    }

    @Test
    void aRealServerBehindVipPortZeroCannotSetAPort() {
        assertThatThrownBy(() -> VirtualServer.builder("all").vip("10.0.0.1:0/tcp")
                .forwardingMethod(ForwardingMethod.NAT)
                .persistence(PersistencePolicy.sourceIp(Duration.ofMinutes(5)))
                .realServer(rs("app1", "10.0.0.2").port(8080).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server 'all' (10.0.0.1:0/tcp): real server 'app1': ",
                        "port must be 0 but was 8080");
    }

    // --- real-server identity

    @Test
    void duplicateRealServerLabelsAreRejected() {
        assertThatThrownBy(() -> web(ForwardingMethod.NAT)
                .realServer(rs("app1", "10.0.0.2").build())
                .realServer(rs("app1", "10.0.0.3").build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server label 'app1' is used twice");
    }

    @Test
    void twoRealServersOnTheSameAddressAndPortAreRejected() {
        assertThatThrownBy(() -> web(ForwardingMethod.NAT)
                .realServer(rs("app1", "10.0.0.2").port(8080).build())
                .realServer(rs("app2", "10.0.0.2").port(8080).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real servers 'app1' and 'app2' both forward to 10.0.0.2:8080");
    }

    @Test
    void portZeroAndTheVipPortAreTheSameEndpoint() {
        assertThatThrownBy(() -> web(ForwardingMethod.DIRECT_ROUTING)
                .realServer(rs("app1", "10.0.0.2").port(0).build())
                .realServer(rs("app2", "10.0.0.2").port(80).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real servers 'app1' and 'app2' both forward to 10.0.0.2:80");
    }

    @Test
    void oneAddressOnTwoPortsIsTwoRealServers() {
        VirtualServer vs = web(ForwardingMethod.NAT)
                .realServer(rs("app1a", "10.0.0.2").port(8080).build())
                .realServer(rs("app1b", "10.0.0.2").port(8081).build())
                .build();

        assertThat(vs.realServers()).hasSize(2);
    }

    // --- firewall marks

    @Test
    void aFirewallMarkServiceHasNoPort() {
        assertThatThrownBy(() -> VirtualServer.builder("web").firewallMark(12).port(80).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web': a firewall-mark service has no port but port was 80 "
                        + "(the mark selects the traffic)");
    }

    @Test
    void aFirewallMarkServiceHasNoAddress() {
        assertThatThrownBy(() -> VirtualServer.builder("web").firewallMark(12).address("10.0.0.1").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web': a firewall-mark service has no address but address was 10.0.0.1");
    }

    @Test
    void aFirewallMarkServiceHasNoProtocol() {
        assertThatThrownBy(() -> VirtualServer.builder("web").firewallMark(12).protocol(Protocol.UDP).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web': a firewall-mark service has no protocol but protocol was UDP");
    }

    @Test
    void aPortSetAfterAWholeFirewallMarkVipIsRejectedToo() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("fwmark:12").port(80).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server 'web'", "firewall-mark", "port was 80");
    }

    @ParameterizedTest
    @EnumSource(names = {"PROXY", "HTTP"})
    void theProxiesCannotServeAFirewallMark(ForwardingMethod method) {
        assertThatThrownBy(() -> VirtualServer.builder("web").firewallMark(12).forwardingMethod(method).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web' (fwmark:12): forwarding method " + method
                        + " needs an address and port to listen on, not a firewall mark");
    }

    @Test
    void directRoutingRealServersOfAFirewallMarkServiceSetNoPort() {
        assertThatThrownBy(() -> VirtualServer.builder("web").firewallMark(12)
                .realServer(rs("app1", "10.0.0.2").port(80).build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web' (fwmark:12): real server 'app1': DIRECT_ROUTING of a "
                        + "firewall-mark service cannot set a port but port was 80");
    }

    @Test
    void aFirewallMarkServiceWithKernelMethodsIsAccepted() {
        VirtualServer vs = VirtualServer.builder("web").firewallMark(12)
                .realServer(rs("app1", "10.0.0.2").build())
                .realServer(rs("app2", "10.0.0.3").forwardingMethod(ForwardingMethod.NAT).port(8080).build())
                .build();

        assertThat(vs.vip()).isEqualTo(Vip.firewallMark(12));
    }

    // --- address families

    @ParameterizedTest
    @EnumSource(names = {"DIRECT_ROUTING", "NAT"})
    void directRoutingAndNatRejectAnIpv6RealServerBehindAnIpv4Vip(ForwardingMethod method) {
        assertThatThrownBy(() -> web(method).realServer(rs("app6", "2001:db8::2").build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server 'app6': " + method + " cannot forward from an IPv4 VIP to the IPv6 "
                        + "address 2001:db8::2 (only TUNNEL, PROXY and HTTP mix families)");
    }

    @ParameterizedTest
    @EnumSource(names = {"DIRECT_ROUTING", "NAT"})
    void directRoutingAndNatRejectAnIpv4RealServerBehindAnIpv6Vip(ForwardingMethod method) {
        assertThatThrownBy(() -> web6(method).realServer(rs("app4", "10.0.0.2").build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB6 + "real server 'app4': " + method + " cannot forward from an IPv6 VIP to the IPv4 "
                        + "address 10.0.0.2 (only TUNNEL, PROXY and HTTP mix families)");
    }

    @Test
    void anIpv6FirewallMarkRejectsAnIpv4DirectRoutingRealServer() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("fwmark:12/ipv6")
                .realServer(rs("app4", "10.0.0.2").build()).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server 'web' (fwmark:12/ipv6): real server 'app4': ",
                        "IPv6 VIP", "IPv4 address 10.0.0.2");
    }

    @ParameterizedTest
    @EnumSource(names = {"TUNNEL", "PROXY", "HTTP"})
    void tunnelAndTheProxiesMixFamilies(ForwardingMethod method) {
        assertThatNoException().isThrownBy(() -> web(method).realServer(rs("app6", "2001:db8::2").build()).build());
        assertThatNoException().isThrownBy(() -> web6(method).realServer(rs("app4", "10.0.0.2").build()).build());
    }

    // --- schedulers and protocols

    @ParameterizedTest
    @EnumSource(names = {"PROXY", "HTTP"})
    void theProxiesRejectDestinationHashing(ForwardingMethod method) {
        assertThatThrownBy(() -> web(method).scheduler(Scheduler.DH).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(WEB + "scheduler dh keys on the destination address")
                .hasMessageContaining("forwarding method " + method);
    }

    @ParameterizedTest
    @EnumSource(names = {"DH", "LBLC", "LBLCR"})
    void proxyRejectsEverySchedulerThatKeysOnTheDestination(Scheduler scheduler) {
        assertThatThrownBy(() -> web(ForwardingMethod.PROXY).scheduler(scheduler).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(WEB, "scheduler " + scheduler.ipvsName(), "PROXY");
    }

    @ParameterizedTest
    @EnumSource(names = {"DH", "LBLC", "LBLCR"})
    void theKernelMethodsAcceptDestinationSchedulers(Scheduler scheduler) {
        assertThat(web(ForwardingMethod.DIRECT_ROUTING).scheduler(scheduler).build().scheduler()).isEqualTo(scheduler);
    }

    @ParameterizedTest
    @EnumSource(names = {"UDP", "SCTP"})
    void proxyCarriesTcpOnly(Protocol protocol) {
        assertThatThrownBy(() -> VirtualServer.builder("dns").address("10.0.0.1").port(53).protocol(protocol)
                .forwardingMethod(ForwardingMethod.PROXY).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'dns' (10.0.0.1:53/" + protocol.shortName() + "): forwarding method "
                        + "PROXY carries TCP only but protocol was " + protocol.shortName());
    }

    @Test
    void httpCarriesTcpOnly() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("10.0.0.1:80/udp")
                .forwardingMethod(ForwardingMethod.HTTP).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server 'web' (10.0.0.1:80/udp)", "HTTP", "protocol was udp");
    }

    @ParameterizedTest
    @EnumSource(names = {"DIRECT_ROUTING", "NAT", "TUNNEL"})
    void theKernelMethodsCarryUdpAndSctp(ForwardingMethod method) {
        assertThatNoException().isThrownBy(() -> VirtualServer.builder("dns").vip("10.0.0.1:53/udp")
                .forwardingMethod(method).build());
        assertThatNoException().isThrownBy(() -> VirtualServer.builder("sig").vip("10.0.0.1:3868/sctp")
                .forwardingMethod(method).build());
    }

    @Test
    void theProxiesNeedARealVipPort() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("10.0.0.1:0/tcp")
                .forwardingMethod(ForwardingMethod.PROXY)
                .persistence(PersistencePolicy.sourceIp(Duration.ofMinutes(1))).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web' (10.0.0.1:0/tcp): forwarding method PROXY needs a VIP port "
                        + "1..65535 but port was 0");
    }

    // --- mixing forwarding methods

    @Test
    void aProxyVirtualServerRejectsADirectRoutingRealServer() {
        assertThatThrownBy(() -> web(ForwardingMethod.PROXY)
                .realServer(rs("app1", "10.0.0.2").forwardingMethod(ForwardingMethod.DIRECT_ROUTING).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server 'app1': forwarding method DIRECT_ROUTING cannot mix with the virtual "
                        + "server's PROXY (only DIRECT_ROUTING, NAT and TUNNEL mix)");
    }

    @Test
    void aDirectRoutingVirtualServerRejectsAProxyRealServer() {
        assertThatThrownBy(() -> web(ForwardingMethod.DIRECT_ROUTING)
                .realServer(rs("app1", "10.0.0.2").forwardingMethod(ForwardingMethod.PROXY).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(WEB + "real server 'app1': ", "PROXY", "cannot mix", "DIRECT_ROUTING");
    }

    @Test
    void proxyAndHttpDoNotMixEither() {
        assertThatThrownBy(() -> web(ForwardingMethod.HTTP)
                .realServer(rs("app1", "10.0.0.2").forwardingMethod(ForwardingMethod.PROXY).build())
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(WEB + "real server 'app1': ", "PROXY", "cannot mix", "HTTP");
    }

    @Test
    void directRoutingNatAndTunnelMixInOneVirtualServer() {
        VirtualServer vs = web(ForwardingMethod.DIRECT_ROUTING)
                .realServer(rs("dr", "10.0.0.2").build())
                .realServer(rs("nat", "10.0.0.3").forwardingMethod(ForwardingMethod.NAT).port(8080).build())
                .realServer(rs("tun", "10.0.0.4").forwardingMethod(ForwardingMethod.TUNNEL).build())
                .build();

        assertThat(vs.realServers()).extracting(vs::forwardingMethodOf).containsExactly(
                ForwardingMethod.DIRECT_ROUTING, ForwardingMethod.NAT, ForwardingMethod.TUNNEL);
    }

    // --- labels, VIP and plain fields

    @Test
    void emptyVirtualServerLabelIsRejected() {
        assertThatThrownBy(() -> VirtualServer.builder("").vip("10.0.0.1:80/tcp").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server", "label", "but was ''");
    }

    @Test
    void virtualServerLabelOfSixtyFiveCharactersIsRejected() {
        String label = "w".repeat(65);

        assertThatThrownBy(() -> VirtualServer.builder(label).vip("10.0.0.1:80/tcp").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server", "label", "1..64", "'" + label + "'");
    }

    @Test
    void virtualServerLabelWithASpaceIsRejected() {
        assertThatThrownBy(() -> VirtualServer.builder("my web").vip("10.0.0.1:80/tcp").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("virtual server 'my web'", "label", "[A-Za-z0-9._-]", "but was 'my web'");
    }

    @Test
    void aVirtualServerNeedsAVip() {
        assertThatThrownBy(() -> VirtualServer.builder("web").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("virtual server 'web': vip is required");
    }

    @Test
    void anAddressNeedsAPort() {
        assertThatThrownBy(() -> VirtualServer.builder("web").address("10.0.0.1").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server 'web': vip port is required");
    }

    @Test
    void aBadVipTextIsRejectedNamingTheVirtualServer() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("web.example.com:80/tcp"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("virtual server 'web': vip must look like")
                .hasMessageContaining("'web.example.com:80/tcp'");
    }

    @Test
    void nonPositiveTimeoutsAreRejected() {
        assertThatThrownBy(() -> web(ForwardingMethod.PROXY).connectTimeout(Duration.ZERO).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "connectTimeout must be positive but was PT0S");
        assertThatThrownBy(() -> web(ForwardingMethod.PROXY).idleTimeout(Duration.ofSeconds(-1)).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "idleTimeout must be positive but was PT-1S");
    }

    @Test
    void nullFieldsAreRejectedByName() {
        assertThatThrownBy(() -> web(null).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "forwardingMethod must not be null");
        assertThatThrownBy(() -> web(ForwardingMethod.NAT).scheduler(null).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "scheduler must not be null");
        assertThatThrownBy(() -> web(ForwardingMethod.NAT).realServer(null).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage(WEB + "real server must not be null");
    }

    @org.junit.jupiter.api.Test
    void fallbackServerCannotShareALabelWithARealServer() {
        RealServer a = RealServer.builder("a").address("10.0.1.1").build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VirtualServer.builder("web").vip("10.0.0.1:80/tcp")
                .realServer(a).fallback(RealServer.builder("a").address("10.0.1.9").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtual server 'web' (10.0.0.1:80/tcp)")
                .hasMessageContaining("fallback server label 'a' is also a real server's");
    }
}
