package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.CookiePersistence.Mode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Defaults, value semantics and the copy-with methods of {@link VirtualServer}. */
class VirtualServerTest {
    private static final RealServer APP1 = RealServer.builder("app1").address("10.0.0.2").port(8080).build();
    private static final RealServer APP2 = RealServer.builder("app2").address("10.0.0.3").port(8080).weight(3).build();
    private static final RealServer APP3 = RealServer.builder("app3").address("10.0.0.4").port(8080).build();

    private static VirtualServer.Builder web() {
        return VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.HTTP);
    }

    /** A virtual server with every field away from its default. */
    private static VirtualServer everything() {
        return web()
                .scheduler(Scheduler.SED)
                .persistence(CookiePersistence.builder(Mode.INSERT, "SRV").path("/").secure(true).build())
                .healthCheck(HealthCheck.http("/health").withHost("web.example"))
                .realServer(APP1)
                .realServer(APP2)
                .fallback(RealServer.builder("sorry").address("10.0.0.9").port(8081).build())
                .connectTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofMinutes(1))
                .build();
    }

    @Test
    void defaultsAreDirectRoutingWlcNoPersistenceNoCheckAndFiveAndThreeHundredSeconds() {
        VirtualServer vs = VirtualServer.builder("web").vip("10.0.0.1:80/tcp").build();

        assertThat(vs.forwardingMethod()).isEqualTo(ForwardingMethod.DIRECT_ROUTING);
        assertThat(vs.scheduler()).isEqualTo(Scheduler.WLC);
        assertThat(vs.persistence()).isEqualTo(PersistencePolicy.none());
        assertThat(vs.healthCheck()).isEqualTo(HealthCheck.none());
        assertThat(vs.realServers()).isEmpty();
        assertThat(vs.fallback()).isEmpty();
        assertThat(vs.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(vs.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void addressPortAndProtocolMakeTheSameVipAsItsText() {
        VirtualServer parts = VirtualServer.builder("dns").address("10.0.0.1").port(53).protocol(Protocol.UDP).build();
        VirtualServer whole = VirtualServer.builder("dns").vip("10.0.0.1:53/udp").build();

        assertThat(parts).isEqualTo(whole);
        assertThat(VirtualServer.builder("web").address("10.0.0.1").port(80).build().vip())
                .as("protocol defaults to TCP").isEqualTo(Vip.parse("10.0.0.1:80/tcp"));
    }

    @Test
    void toBuilderBuildsAnEqualVirtualServer() {
        VirtualServer vs = everything();

        assertThat(vs.toBuilder().build()).isEqualTo(vs).hasSameHashCodeAs(vs).isNotSameAs(vs);
    }

    @Test
    void toBuilderCanMoveJustThePortOfTheVip() {
        VirtualServer vs = everything();

        VirtualServer moved = vs.toBuilder().port(8000).build();

        assertThat(moved.vip()).isEqualTo(Vip.parse("10.0.0.1:8000/tcp"));
        assertThat(moved.realServers()).isEqualTo(vs.realServers());
    }

    @Test
    void toBuilderCanMoveJustTheAddressOrProtocolOfTheVip() {
        VirtualServer dns = VirtualServer.builder("dns").vip("10.0.0.1:53/udp").build();

        assertThat(dns.toBuilder().address("10.0.0.5").build().vip()).isEqualTo(Vip.parse("10.0.0.5:53/udp"));
        assertThat(dns.toBuilder().protocol(Protocol.TCP).build().vip()).isEqualTo(Vip.parse("10.0.0.1:53/tcp"));
    }

    @Test
    void aWholeVipReplacesItsParts() {
        VirtualServer vs = VirtualServer.builder("web").address("10.0.0.1").port(80).vip("fwmark:7").build();

        assertThat(vs.vip()).isEqualTo(Vip.firewallMark(7));
    }

    @Test
    void equalityIgnoresTheOrderOfRealServers() {
        VirtualServer ab = web().realServer(APP1).realServer(APP2).build();
        VirtualServer ba = web().realServer(APP2).realServer(APP1).build();

        assertThat(ab).isEqualTo(ba).hasSameHashCodeAs(ba);
        assertThat(ab.realServers()).as("but keeps insertion order").containsExactly(APP1, APP2);
        assertThat(ba.realServers()).containsExactly(APP2, APP1);
    }

    @Test
    void differentWhenAnyFieldDiffers() {
        VirtualServer vs = everything();

        assertThat(vs)
                .isNotEqualTo(null)
                .isNotEqualTo("web")
                .isNotEqualTo(vs.toBuilder().vip("10.0.0.1:81/tcp").build())
                .isNotEqualTo(VirtualServer.builder("web2").vip("10.0.0.1:80/tcp").build())
                .isNotEqualTo(vs.toBuilder().scheduler(Scheduler.RR).build())
                .isNotEqualTo(vs.toBuilder().persistence(PersistencePolicy.none()).build())
                .isNotEqualTo(vs.toBuilder().healthCheck(HealthCheck.connect()).build())
                .isNotEqualTo(vs.toBuilder().fallback(null).build())
                .isNotEqualTo(vs.toBuilder().connectTimeout(Duration.ofSeconds(3)).build())
                .isNotEqualTo(vs.toBuilder().idleTimeout(Duration.ofSeconds(61)).build())
                .isNotEqualTo(vs.withRealServer(APP3))
                .isNotEqualTo(vs.withRealServer(APP1.withWeight(9)));
        assertThat(web().build()).isNotEqualTo(web().forwardingMethod(ForwardingMethod.PROXY).build());
    }

    @Test
    void withRealServerAddsANewLabelAtTheEnd() {
        VirtualServer vs = web().realServer(APP1).realServer(APP2).build();

        VirtualServer more = vs.withRealServer(APP3);

        assertThat(more.realServers()).containsExactly(APP1, APP2, APP3);
        assertThat(vs.realServers()).as("the original is unchanged").containsExactly(APP1, APP2);
    }

    @Test
    void withRealServerReplacesTheServerOfTheSameLabel() {
        VirtualServer vs = web().realServer(APP1).realServer(APP2).build();
        RealServer heavier = APP1.withWeight(50);

        VirtualServer changed = vs.withRealServer(heavier);

        assertThat(changed.realServers()).containsExactlyInAnyOrder(heavier, APP2);
        assertThat(changed.realServer("app1")).contains(heavier);
    }

    @Test
    void withRealServerValidatesTheResult() {
        VirtualServer vs = web().realServer(APP1).build();
        RealServer clash = RealServer.builder("clash").address("10.0.0.2").port(8080).build();

        assertThatThrownBy(() -> vs.withRealServer(clash))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("real servers 'app1' and 'clash' both forward to 10.0.0.2:8080");
    }

    @Test
    void withoutRealServerRemovesThatLabelOnly() {
        VirtualServer vs = web().realServer(APP1).realServer(APP2).realServer(APP3).build();

        VirtualServer fewer = vs.withoutRealServer("app2");

        assertThat(fewer.realServers()).containsExactly(APP1, APP3);
        assertThat(fewer.realServer("app2")).isEmpty();
        assertThat(fewer.toBuilder().realServer(APP2).build()).isEqualTo(vs);
    }

    @Test
    void withoutAnAbsentRealServerIsTheSameValue() {
        VirtualServer vs = web().realServer(APP1).build();

        assertThat(vs.withoutRealServer("nobody")).isSameAs(vs);
    }

    @Test
    void realServersCannotBeChangedThroughTheList() {
        VirtualServer vs = web().realServer(APP1).build();

        assertThatThrownBy(() -> vs.realServers().add(APP2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void forwardingMethodOfARealServerIsItsOwnElseTheVirtualServers() {
        RealServer nat = RealServer.builder("nat").address("10.0.0.5").forwardingMethod(ForwardingMethod.NAT).build();
        VirtualServer vs = VirtualServer.builder("web").vip("10.0.0.1:80/tcp").realServer(APP1.toBuilder().port(0)
                .build()).realServer(nat).build();

        assertThat(vs.forwardingMethodOf(vs.realServer("app1").orElseThrow()))
                .isEqualTo(ForwardingMethod.DIRECT_ROUTING);
        assertThat(vs.forwardingMethodOf(nat)).isEqualTo(ForwardingMethod.NAT);
    }

    @Test
    void describeNamesTheLabelAndTheVip() {
        assertThat(web().build().describe()).isEqualTo("virtual server 'web' (10.0.0.1:80/tcp)");
    }

    @Test
    void toStringShowsTheFieldsAndRealServers() {
        VirtualServer vs = VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.NAT)
                .scheduler(Scheduler.RR).realServer(APP1).build();

        assertThat(vs).hasToString("VirtualServer{web 10.0.0.1:80/tcp NAT rr persistence=none check=none "
                + "realServers=[RealServer{app1 10.0.0.2:8080 weight=1}]}");
    }

    @Test
    void realServersAreLookedUpByLabel() {
        VirtualServer vs = web().realServers(List.of(APP1, APP2)).build();

        assertThat(vs.realServer("app2")).contains(APP2);
        assertThat(vs.realServer("app9")).isEmpty();
    }
}
