package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.ConfigurationDiff.RealServerField;
import dev.lbkit.api.ConfigurationDiff.VirtualServerChange;
import dev.lbkit.api.ConfigurationDiff.VirtualServerField;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigurationDiffTest {
    private static final RealServer APP1 = RealServer.builder("app1").address("10.1.0.1").port(8080).build();
    private static final RealServer APP2 = RealServer.builder("app2").address("10.1.0.2").port(8080).build();
    private static final RealServer APP3 = RealServer.builder("app3").address("10.1.0.3").port(8080).build();
    private static final VirtualServer WEB = VirtualServer.builder("web").vip("10.0.0.1:80/tcp")
            .forwardingMethod(ForwardingMethod.NAT).realServer(APP1).realServer(APP2).build();
    private static final VirtualServer API = VirtualServer.builder("api").vip("10.0.0.1:443/tcp")
            .forwardingMethod(ForwardingMethod.PROXY).realServer(APP1).build();
    private static final VirtualServer DNS = VirtualServer.builder("dns").vip("10.0.0.2:53/udp")
            .realServer(RealServer.builder("ns1").address("10.1.0.53").build()).build();

    private static VirtualServerChange onlyChange(ConfigurationDiff diff) {
        assertThat(diff.added()).isEmpty();
        assertThat(diff.removed()).isEmpty();
        assertThat(diff.changed()).hasSize(1);
        return diff.changed().get(0);
    }

    @Test
    void identicalConfigurationsGiveAnEmptyDiff() {
        Configuration c = Configuration.of(WEB, API, DNS);

        ConfigurationDiff diff = ConfigurationDiff.between(c, c.toBuilder().build());

        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff).isEqualTo(ConfigurationDiff.empty()).hasToString("(no change)");
        assertThat(diff.applyTo(c)).isEqualTo(c);
    }

    @Test
    void reorderingVirtualServersOrRealServersIsNoChange() {
        VirtualServer webReordered = WEB.toBuilder().realServers(java.util.List.of(APP2, APP1)).build();

        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB, API),
                Configuration.of(API, webReordered));

        assertThat(diff.isEmpty()).isTrue();
    }

    @Test
    void aVirtualServerOnlyInTheNewConfigurationIsAdded() {
        Configuration before = Configuration.of(WEB);
        Configuration after = Configuration.of(WEB, API);

        ConfigurationDiff diff = ConfigurationDiff.between(before, after);

        assertThat(diff.added()).containsExactly(API);
        assertThat(diff.removed()).isEmpty();
        assertThat(diff.changed()).isEmpty();
        assertThat(diff).hasToString("+ virtual server 'api' (10.0.0.1:443/tcp)");
        assertThat(diff.applyTo(before)).isEqualTo(after);
    }

    @Test
    void aVirtualServerOnlyInTheOldConfigurationIsRemoved() {
        Configuration before = Configuration.of(WEB, API, DNS);
        Configuration after = Configuration.of(WEB, DNS);

        ConfigurationDiff diff = ConfigurationDiff.between(before, after);

        assertThat(diff.removed()).containsExactly(API);
        assertThat(diff.added()).isEmpty();
        assertThat(diff.changed()).isEmpty();
        assertThat(diff).hasToString("- virtual server 'api' (10.0.0.1:443/tcp)");
        assertThat(diff.applyTo(before)).isEqualTo(after);
    }

    @Test
    void aChangedSchedulerIsAChangeOfThatFieldOnly() {
        VirtualServer rr = WEB.toBuilder().scheduler(Scheduler.RR).build();

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB, API),
                Configuration.of(rr, API)));

        assertThat(change.label()).isEqualTo("web");
        assertThat(change.before()).isEqualTo(WEB);
        assertThat(change.after()).isEqualTo(rr);
        assertThat(change.fields()).containsExactly(VirtualServerField.SCHEDULER);
        assertThat(change.addedRealServers()).isEmpty();
        assertThat(change.removedRealServers()).isEmpty();
        assertThat(change.changedRealServers()).isEmpty();
        assertThat(change.onlyRealServersChanged()).isFalse();
    }

    @Test
    void eachServiceFieldIsNamedWhenItChanges() {
        VirtualServer changed = WEB.toBuilder()
                .forwardingMethod(ForwardingMethod.PROXY)
                .persistence(PersistencePolicy.sourceIp(Duration.ofMinutes(10)))
                .healthCheck(HealthCheck.connect())
                .fallback(RealServer.builder("sorry").address("10.1.0.99").port(8081).build())
                .connectTimeout(Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(30))
                .build();

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(changed)));

        assertThat(change.fields()).containsExactly(VirtualServerField.FORWARDING_METHOD,
                VirtualServerField.PERSISTENCE, VirtualServerField.HEALTH_CHECK, VirtualServerField.FALLBACK,
                VirtualServerField.CONNECT_TIMEOUT, VirtualServerField.IDLE_TIMEOUT);
    }

    @Test
    void aNewVipAddressIsAVipFieldChangeNotARemovalAndAddition() {
        VirtualServer moved = WEB.toBuilder().vip("10.0.0.3:80/tcp").build();

        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB), Configuration.of(moved));
        VirtualServerChange change = onlyChange(diff);

        assertThat(change.fields()).containsExactly(VirtualServerField.VIP);
        assertThat(change.before().vip()).isEqualTo(Vip.parse("10.0.0.1:80/tcp"));
        assertThat(change.after().vip()).isEqualTo(Vip.parse("10.0.0.3:80/tcp"));
        assertThat(diff).hasToString("~ virtual server 'web' (10.0.0.3:80/tcp): [VIP]");
    }

    @Test
    void aNewLabelForTheSameVipIsARemovalAndAnAddition() {
        VirtualServer renamed = VirtualServer.builder("www").vip("10.0.0.1:80/tcp")
                .forwardingMethod(ForwardingMethod.NAT).realServer(APP1).realServer(APP2).build();

        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB), Configuration.of(renamed));

        assertThat(diff.removed()).containsExactly(WEB);
        assertThat(diff.added()).containsExactly(renamed);
        assertThat(diff.changed()).isEmpty();
        assertThat(diff.applyTo(Configuration.of(WEB))).isEqualTo(Configuration.of(renamed));
    }

    @Test
    void anAddedRealServerIsListedAndMarksRealServersChanged() {
        VirtualServer more = WEB.withRealServer(APP3);

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(more)));

        assertThat(change.fields()).containsExactly(VirtualServerField.REAL_SERVERS);
        assertThat(change.onlyRealServersChanged()).isTrue();
        assertThat(change.addedRealServers()).containsExactly(APP3);
        assertThat(change.removedRealServers()).isEmpty();
        assertThat(change.changedRealServers()).isEmpty();
        assertThat(change).hasToString("virtual server 'web' (10.0.0.1:80/tcp): [REAL_SERVERS]; +rs app3");
    }

    @Test
    void aRemovedRealServerIsListed() {
        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(WEB.withoutRealServer("app1"))));

        assertThat(change.fields()).containsExactly(VirtualServerField.REAL_SERVERS);
        assertThat(change.removedRealServers()).containsExactly(APP1);
        assertThat(change.addedRealServers()).isEmpty();
        assertThat(change.changedRealServers()).isEmpty();
        assertThat(change).hasToString("virtual server 'web' (10.0.0.1:80/tcp): [REAL_SERVERS]; -rs app1");
    }

    @Test
    void aChangedWeightIsAChangedRealServerWithFieldWeight() {
        RealServer heavier = APP2.withWeight(10);

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(WEB.withRealServer(heavier))));

        assertThat(change.fields()).containsExactly(VirtualServerField.REAL_SERVERS);
        assertThat(change.changedRealServers()).singleElement().satisfies(rc -> {
            assertThat(rc.before()).isEqualTo(APP2);
            assertThat(rc.after()).isEqualTo(heavier);
            assertThat(rc.fields()).containsExactly(RealServerField.WEIGHT);
        });
        assertThat(change).hasToString("virtual server 'web' (10.0.0.1:80/tcp): [REAL_SERVERS]; ~rs app2 [WEIGHT]");
    }

    @Test
    void eachRealServerFieldIsNamedWhenItChanges() {
        RealServer changed = APP1.toBuilder()
                .address("10.1.0.11")
                .port(8081)
                .weight(4)
                .minConnections(10)
                .maxConnections(100)
                .forwardingMethod(ForwardingMethod.NAT)
                .requestedStatus(RequestedStatus.DRAIN)
                .build();

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(WEB.withRealServer(changed))));

        assertThat(change.changedRealServers()).singleElement()
                .satisfies(rc -> assertThat(rc.fields()).containsExactly(RealServerField.values()));
    }

    @Test
    void aRenamedRealServerIsARemovalAndAnAddition() {
        RealServer renamed = RealServer.builder("app9").address("10.1.0.2").port(8080).build();
        VirtualServer after = WEB.withoutRealServer("app2").withRealServer(renamed);

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(after)));

        assertThat(change.removedRealServers()).containsExactly(APP2);
        assertThat(change.addedRealServers()).containsExactly(renamed);
        assertThat(change.changedRealServers()).isEmpty();
    }

    @Test
    void serviceAndRealServerChangesAreReportedTogether() {
        VirtualServer after = WEB.toBuilder().scheduler(Scheduler.MH).build().withoutRealServer("app1")
                .withRealServer(APP2.withRequestedStatus(RequestedStatus.OFFLINE)).withRealServer(APP3);

        VirtualServerChange change = onlyChange(ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(after)));

        assertThat(change.fields()).containsExactly(VirtualServerField.SCHEDULER, VirtualServerField.REAL_SERVERS);
        assertThat(change.onlyRealServersChanged()).isFalse();
        assertThat(change.removedRealServers()).containsExactly(APP1);
        assertThat(change.addedRealServers()).containsExactly(APP3);
        assertThat(change.changedRealServers()).singleElement()
                .satisfies(rc -> assertThat(rc.fields()).containsExactly(RealServerField.REQUESTED_STATUS));
    }

    @Test
    void listsFollowTheConfigurationsOrder() {
        Configuration before = Configuration.of(WEB, API, DNS);
        VirtualServer newA = VirtualServer.builder("a").vip("10.0.0.5:80/tcp").build();
        VirtualServer newB = VirtualServer.builder("b").vip("10.0.0.6:80/tcp").build();
        Configuration after = Configuration.of(newB, DNS.toBuilder().scheduler(Scheduler.SH).build(), newA,
                WEB.toBuilder().scheduler(Scheduler.SH).build());

        ConfigurationDiff diff = ConfigurationDiff.between(before, after);

        assertThat(diff.added()).containsExactly(newB, newA);
        assertThat(diff.removed()).containsExactly(API);
        assertThat(diff.changed()).extracting(VirtualServerChange::label).containsExactly("web", "dns");
    }

    @Test
    void theInverseUndoesTheDiff() {
        Configuration before = Configuration.of(WEB, API);
        Configuration after = Configuration.of(WEB.withRealServer(APP3).toBuilder().scheduler(Scheduler.RR).build(),
                DNS);

        ConfigurationDiff diff = ConfigurationDiff.between(before, after);
        ConfigurationDiff inverse = diff.inverse();

        assertThat(inverse.added()).containsExactly(API);
        assertThat(inverse.removed()).containsExactly(DNS);
        assertThat(inverse.changed()).singleElement().satisfies(c -> {
            assertThat(c.before()).isEqualTo(diff.changed().get(0).after());
            assertThat(c.after()).isEqualTo(WEB);
            assertThat(c.removedRealServers()).containsExactly(APP3);
            assertThat(c.fields()).containsExactly(VirtualServerField.SCHEDULER, VirtualServerField.REAL_SERVERS);
        });
        assertThat(diff.applyTo(before)).isEqualTo(after);
        assertThat(inverse.applyTo(after)).isEqualTo(before);
        assertThat(inverse.inverse()).isEqualTo(diff);
    }

    @Test
    void applyingToAConfigurationThatLacksARemovedVirtualServerFails() {
        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB, API), Configuration.of(WEB));

        assertThatThrownBy(() -> diff.applyTo(Configuration.of(WEB)))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("diff removes virtual server 'api', which is absent");
    }

    @Test
    void applyingToAConfigurationThatLacksAChangedVirtualServerFails() {
        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(WEB.toBuilder().scheduler(Scheduler.RR).build()));

        assertThatThrownBy(() -> diff.applyTo(Configuration.of(API)))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("diff changes virtual server 'web', which is absent");
    }

    @Test
    void applyingToAConfigurationThatAlreadyHasAnAddedVirtualServerFails() {
        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB), Configuration.of(WEB, API));

        assertThatThrownBy(() -> diff.applyTo(Configuration.of(WEB, API)))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("diff adds virtual server 'api', which is present");
    }

    @Test
    void aChangeKeepsRealServersOfTheBaseThatItDoesNotTouch() {
        // The diff changes only app2's weight; applied to a base that also has app3, app3 stays.
        ConfigurationDiff diff = ConfigurationDiff.between(Configuration.of(WEB),
                Configuration.of(WEB.withRealServer(APP2.withWeight(7))));

        Configuration result = diff.applyTo(Configuration.of(WEB.withRealServer(APP3)));

        assertThat(result.virtualServer("web").orElseThrow().realServers())
                .containsExactlyInAnyOrder(APP1, APP2.withWeight(7), APP3);
    }

    @Test
    void diffsAreValues() {
        Configuration a = Configuration.of(WEB);
        Configuration b = Configuration.of(WEB.withRealServer(APP3), API);

        assertThat(ConfigurationDiff.between(a, b)).isEqualTo(ConfigurationDiff.between(a, b))
                .hasSameHashCodeAs(ConfigurationDiff.between(a, b))
                .isNotEqualTo(ConfigurationDiff.between(b, a))
                .isNotEqualTo(ConfigurationDiff.empty());
    }
}
