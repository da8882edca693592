package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.Dataplane;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** On the build machine, whose kernel has no IPVS: the error path is real here. */
class IpvsDataplaneTest {

    static ConfigurationDiff adding(VirtualServer vs) {
        return ConfigurationDiff.between(Configuration.builder().build(), Configuration.builder().add(vs).build());
    }

    static VirtualServer web() {
        return VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.NAT)
                .realServer(RealServer.builder("app1").address("10.0.1.1").build()).build();
    }

    @Test
    void serviceLoaderFindsItAndConstructingTouchesNoKernel() {
        assertThat(ServiceLoader.load(Dataplane.class).stream().map(p -> p.type().getName()))
                .contains(IpvsDataplane.class.getName());
        try (IpvsDataplane d = new IpvsDataplane()) {
            assertThat(d.name()).isEqualTo("ipvs");
            assertThat(d.forwardingMethods()).containsExactlyInAnyOrder(ForwardingMethod.DIRECT_ROUTING,
                    ForwardingMethod.NAT, ForwardingMethod.TUNNEL);
            assertThat(d.stats()).isEmpty();
            assertThat(d.changesSent()).isZero();
        }
    }

    @Test
    void aKernelWithoutIpvsGivesOneClearErrorAfterTryingModprobe() {
        assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has IPVS");
        try (IpvsDataplane d = new IpvsDataplane()) {
            assertThatThrownBy(() -> d.apply(adding(web())))
                    .isInstanceOf(DataplaneException.class)
                    .hasMessageStartingWith("IPVS is not available in this kernel: it has no generic netlink family "
                            + "'IPVS'")
                    .hasMessageContaining("'modprobe ip_vs' did not help (")
                    .hasMessageNotContaining("Exception");
        }
    }

    @Test
    void invalidCombinationsAreRejectedBeforeTheKernelIsOpened() {
        VirtualServer cookie = VirtualServer.builder("shop").vip("10.0.0.2:80/tcp")
                .forwardingMethod(ForwardingMethod.HTTP)
                .persistence(dev.lbkit.api.PersistencePolicy.cookie(dev.lbkit.api.CookiePersistence.Mode.INSERT, "SRV"))
                .realServer(RealServer.builder("a").address("10.0.1.1").build()).build();
        try (IpvsDataplane d = new IpvsDataplane()) {
            assertThatThrownBy(() -> d.apply(adding(cookie)))
                    .isInstanceOfSatisfying(DataplaneException.class, e -> assertThat(e.virtualServer()).isEqualTo("shop"))
                    .hasMessageStartingWith("virtual server 'shop' (10.0.0.2:80/tcp): persistence: IPVS has source-IP "
                            + "persistence only");
        }
    }
}
