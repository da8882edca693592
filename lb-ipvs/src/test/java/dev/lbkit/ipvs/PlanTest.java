package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reconciling without a kernel: what changes a desired table and a read-back table produce. */
class PlanTest {

    static VirtualServer web(int weight2) {
        return VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.NAT)
                .realServer(RealServer.builder("app1").address("10.0.1.1").port(8080).weight(1).build())
                .realServer(RealServer.builder("app2").address("10.0.1.2").port(8080).weight(weight2).build())
                .build();
    }

    static DesiredService desired(VirtualServer vs) {
        return DesiredService.of(vs, IpvsOptions.defaults());
    }

    /** The kernel's table as if {@code ds} had been applied, with counters and the hashed flag the kernel adds. */
    static Map<IpvsServiceKey, IpvsEntry> kernelHolding(DesiredService... ds) {
        Map<IpvsServiceKey, IpvsEntry> m = new LinkedHashMap<>();
        for (DesiredService d : ds) {
            IpvsService s = d.service();
            IpvsService k = new IpvsService(s.key(), s.scheduler(), s.flags() | IpvsAttributes.SVC_F_HASHED,
                    s.timeoutSeconds(), s.netmask(), s.persistenceEngine(),
                    new IpvsStats(10, 20, 30, 40, 50, 1, 2, 3, 4, 5));
            List<IpvsDestination> dests = new ArrayList<>();
            for (IpvsDestination x : d.destinations().values()) {
                dests.add(new IpvsDestination(x.address(), x.port(), x.forwarding(), x.weight(), x.upperThreshold(),
                        x.lowerThreshold(), x.tunnelType(), x.tunnelPort(), x.tunnelFlags(), 3, 4, 0, null));
            }
            m.put(k.key(), new IpvsEntry(k, dests));
        }
        return m;
    }

    static List<String> kinds(List<Change> plan) {
        return plan.stream().map(c -> c.kind() + (c.destination() == null ? "" : " " + c.destination().key())).toList();
    }

    @Test
    void aNewVirtualServerIsOneServiceAndOneMessagePerRealServer() {
        assertThat(kinds(Plan.compute(List.of(desired(web(1))), Map.of(), Set.of())))
                .containsExactly("NEW_SERVICE", "NEW_DEST 10.0.1.1:8080", "NEW_DEST 10.0.1.2:8080");
    }

    @Test
    void reApplyingWhatTheKernelHoldsSendsNothingWhateverTheCounters() {
        DesiredService d = desired(web(1));
        assertThat(Plan.compute(List.of(d), kernelHolding(d), Set.of(d.key()))).isEmpty();
    }

    @Test
    void oneChangedWeightIsOneSetDest() {
        Map<IpvsServiceKey, IpvsEntry> k = kernelHolding(desired(web(1)));
        List<Change> plan = Plan.compute(List.of(desired(web(0))), k, Set.of());
        assertThat(kinds(plan)).containsExactly("SET_DEST 10.0.1.2:8080");
        assertThat(plan.get(0).destination().weight()).isZero();
        assertThat(plan.get(0).describe()).isEqualTo("changing real server 'app2' 10.0.1.2:8080");
    }

    @Test
    void aRemovedRealServerIsDeletedAndAChangedSchedulerEditsOnlyTheService() {
        Map<IpvsServiceKey, IpvsEntry> k = kernelHolding(desired(web(1)));
        VirtualServer v = web(1).withoutRealServer("app2").toBuilder().scheduler(Scheduler.RR).build();
        assertThat(kinds(Plan.compute(List.of(desired(v)), k, Set.of())))
                .containsExactly("SET_SERVICE", "DEL_DEST 10.0.1.2:8080");
    }

    @Test
    void aServiceLbkitDidNotCreateIsLeftAloneUnlessDeletable() {
        DesiredService other = desired(web(1).toBuilder().vip("10.9.9.9:80/tcp").build());
        Map<IpvsServiceKey, IpvsEntry> k = kernelHolding(other);
        assertThat(Plan.compute(List.of(), k, Set.of())).isEmpty();
        assertThat(kinds(Plan.compute(List.of(), k, Set.of(other.key())))).containsExactly("DEL_SERVICE");
    }

    @Test
    void theFallbackServerBecomesADestinationOnlyWhenNoRealServerHasWeight() {
        RealServer sorry = RealServer.builder("sorry").address("10.0.2.1").port(8080).weight(0).build();
        VirtualServer up = web(1).toBuilder().fallback(sorry).build();
        assertThat(desired(up).destinations()).hasSize(2);
        VirtualServer down = up.toBuilder().realServers(List.of(
                RealServer.builder("app1").address("10.0.1.1").port(8080).weight(0).build())).build();
        DesiredService d = desired(down);
        assertThat(d.destLabels().values()).containsExactly("app1", "sorry");
        assertThat(d.destinations().values()).extracting(IpvsDestination::weight).containsExactly(0, 1);
    }

    @Test
    void persistenceBecomesFlagTimeoutAndNetmaskPerFamily() {
        VirtualServer v4 = web(1).toBuilder()
                .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(600), 24, 64)).build();
        IpvsService s4 = desired(v4).service();
        assertThat(s4.flags()).isEqualTo(IpvsAttributes.SVC_F_PERSISTENT);
        assertThat(s4.timeoutSeconds()).isEqualTo(600);
        assertThat(s4.netmask()).isEqualTo(0xffffff00);
        VirtualServer v6 = VirtualServer.builder("v6").vip("[2001:db8::1]:443/tcp")
                .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(60), 24, 64))
                .realServer(RealServer.builder("a").address("2001:db8::2").build()).build();
        assertThat(desired(v6).service().netmask()).isEqualTo(64);
        assertThat(desired(web(1)).service().netmask()).isEqualTo(0xffffffff);
        assertThat(desired(web(1)).service().timeoutSeconds()).isZero();
    }

    @Test
    void aLowerThresholdWithoutAnUpperOneIsSentAsZeroToAvoidERANGE() {
        VirtualServer v = web(1).withRealServer(RealServer.builder("app2").address("10.0.1.2").port(8080)
                .minConnections(10).build());
        IpvsDestination d = desired(v).destinations().values().stream().skip(1).findFirst().orElseThrow();
        assertThat(d.lowerThreshold()).isZero();
        assertThat(d.upperThreshold()).isZero();
    }

    @Test
    void whatIpvsCannotCarryIsRejectedNamingTheField() {
        VirtualServer proxy = web(1).toBuilder().forwardingMethod(ForwardingMethod.PROXY).build();
        assertThatThrownBy(() -> desired(proxy))
                .hasMessage("real server 'app1': forwarding method PROXY is not an IPVS method "
                        + "(DIRECT_ROUTING, NAT, TUNNEL)");
        assertThatThrownBy(() -> DesiredService.of(web(1), IpvsOptions.builder().schedulerPort(true).build()))
                .hasMessage("ipvs options: schedulerFallback and schedulerPort need scheduler sh or mh but the "
                        + "scheduler is wlc");
        assertThatThrownBy(() -> DesiredService.of(web(1), IpvsOptions.builder().persistenceEngine("sip").build()))
                .hasMessageContaining("persistenceEngine 'sip' needs source-IP persistence");
        assertThatThrownBy(() -> IpvsOptions.builder().tunnelType(TunnelType.GUE).build())
                .hasMessage("ipvs options: tunnelType GUE needs a tunnelPort (1..65535)");
    }

    @Test
    void aTunnelledRealServerCanHaveItsOwnEncapsulationAndTheOthersKeepTheVirtualServers() {
        VirtualServer tun = VirtualServer.builder("tun").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.TUNNEL)
                .realServer(RealServer.builder("app1").address("10.0.1.1").build())
                .realServer(RealServer.builder("app2").address("10.0.1.2").build()).build();
        IpvsOptions o = IpvsOptions.builder().tunnelType(TunnelType.GRE).tunnelChecksum(true)
                .realServerTunnel("app2", new IpvsOptions.Tunnel(TunnelType.GUE, 6080, false, true)).build();
        DesiredService d = DesiredService.of(tun, o);
        List<IpvsDestination> ds = new ArrayList<>(d.destinations().values());
        assertThat(ds.get(0).tunnelType()).isEqualTo(TunnelType.GRE);
        assertThat(ds.get(0).tunnelFlags()).isEqualTo(IpvsAttributes.TUNNEL_ENCAP_FLAG_CSUM);
        assertThat(ds.get(1).tunnelType()).isEqualTo(TunnelType.GUE);
        assertThat(ds.get(1).tunnelPort()).isEqualTo(6080);
        assertThat(ds.get(1).tunnelFlags()).isEqualTo(IpvsAttributes.TUNNEL_ENCAP_FLAG_REMCSUM);
        assertThat(o.tunnel("app1")).isEqualTo(o.tunnel());
        assertThat(o.toBuilder().realServerTunnel("app2", null).build().tunnel("app2")).isEqualTo(o.tunnel());
        assertThatThrownBy(() -> new IpvsOptions.Tunnel(TunnelType.IPIP, 6080, false, false))
                .hasMessage("ipvs options: tunnelPort applies to GUE only, not IPIP");
        assertThatThrownBy(() -> new IpvsOptions.Tunnel(TunnelType.GRE, 0, true, true))
                .hasMessage("ipvs options: tunnelRemoteChecksum applies to GUE only");
    }
}
