package dev.lbkit.ha;

import static dev.lbkit.ha.HaLab.awaitTrue;
import static dev.lbkit.ha.HaLab.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HaState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** VRRPv3 over IPv6 (ff02::12, link-local sources, hop limit 255) against keepalived and lbkit. */
class Ipv6IT {
    static final Duration FAST = HaLab.ADVERT;
    static final Duration SETTLE = Duration.ofSeconds(10);

    static VrrpInstanceConfig v6(int priority) {
        return VrrpInstanceConfig.builder("vi6").interfaceName("eth0").vrid(61).priority(priority)
                .advertInterval(FAST).virtualAddress(HaLab.VIP6 + "/64").garpRefreshDelay(Duration.ZERO).build();
    }

    @Test
    void lbkitTakesAnIpv6FloatingIpFromAKilledKeepalivedAndAnnouncesItWithUnsolicitedNeighbourAdvertisements()
            throws Exception {
        try (HaLab lab = new HaLab(true)) {
            HaLab.Keepalived ka = lab.keepalived("1", 150, HaLab.ADVERT_S, "", HaLab.VIP6 + "/64");
            try (VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("2"))
                    .instance(v6(100).toBuilder().vrid(51).build()).start()) {
                awaitTrue(SETTLE, () -> lab.holdsVip6("1"), "keepalived holds the IPv6 VIP");
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi6").advertsReceived() > 3,
                        "lbkit hears keepalived's IPv6 adverts");
                assertThat(lbkit.status().instance("vi6").state()).isEqualTo(HaState.BACKUP);
                assertThat(lbkit.status().instance("vi6").master().isLinkLocalAddress()).isTrue();
                assertThat(lbkit.status().instance("vi6").drops()).isEmpty();
                assertThat(lab.clientResolvesVip6()).isEqualTo(HaLab.MAC1);
                HaLab.Capture na = lab.capture("icmp6");
                ka.kill();
                awaitTrue(SETTLE, () -> lab.holdsVip6("2"), "lbkit adds the IPv6 VIP");
                String flags = HaLab.sh("ip", "-n", lab.ns("2"), "-6", "-o", "addr", "show", "dev", "eth0");
                assertThat(flags).contains("nodad").doesNotContain("tentative");
                awaitTrue(SETTLE, () -> na.unsolicitedNasFrom(HaLab.MAC2) >= 5, "5 unsolicited NAs from node 2");
                awaitTrue(SETTLE, () -> HaLab.MAC2.equals(lab.clientNeighbour6()), "the client follows");
            }
        }
    }

    @Test
    void keepalivedTakesOverAnIpv6FloatingIpWhenLbkitStopsAndAnLbkitPairElects() {
        try (HaLab lab = new HaLab(true)) {
            lab.keepalived("2", 100, HaLab.ADVERT_S, "", HaLab.VIP6 + "/64");
            VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(v6(150).toBuilder().vrid(51).build()).start();
            try {
                awaitTrue(SETTLE, () -> lab.holdsVip6("1") && !lab.holdsVip6("2"), "lbkit master, keepalived backup");
                holdsFor(Duration.ofMillis(500), () -> !lab.holdsVip6("2"), "keepalived stays backup");
            } finally {
                lbkit.close();
            }
            awaitTrue(Duration.ofSeconds(3), () -> lab.holdsVip6("2"), "keepalived takes over after priority 0");
        }
        try (HaLab lab = new HaLab(true);
                VrrpRouter n1 = VrrpRouter.builder().networkNamespace(lab.nsPath("1")).instance(v6(150)).start();
                VrrpRouter n2 = VrrpRouter.builder().networkNamespace(lab.nsPath("2")).instance(v6(100)).start()) {
            awaitTrue(SETTLE, () -> n1.status().instance("vi6").state() == HaState.MASTER
                    && n2.status().instance("vi6").advertsReceived() > 3, "n1 master, n2 hears it");
            holdsFor(Duration.ofMillis(500), () -> n2.status().instance("vi6").state() == HaState.BACKUP
                    && lab.holdsVip6("1") && !lab.holdsVip6("2"), "one master");
            assertThat(n2.status().instance("vi6").drops()).isEmpty();
        }
    }
}
