package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** What every scheduler promises about availability, over generated servers and counts. */
class AvailabilityPropertiesTest {

    /** A generated server: weight 0..4, sometimes down, sometimes with thresholds, some connections. */
    @Provide
    Arbitrary<TestServer> server() {
        Arbitrary<Integer> weight = Arbitraries.integers().between(0, 4);
        Arbitrary<Boolean> accepts = Arbitraries.of(true, true, true, false);
        Arbitrary<Integer> max = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.integers().between(1, 8)));
        Arbitrary<Integer> min = Arbitraries.integers().between(0, 8);
        Arbitrary<Integer> active = Arbitraries.integers().between(0, 10);
        Arbitrary<Integer> inactive = Arbitraries.integers().between(0, 3);
        return Combinators.combine(weight, accepts, max, min, active, inactive).as((w, up, u, l, a, i) ->
                TestServer.named("s", w).accepts(up).thresholds(Math.min(l, u), u).active(a).inactive(i));
    }

    private static List<TestServer> named(List<TestServer> generated) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < generated.size(); i++) {
            TestServer g = generated.get(i);
            servers.add(TestServer.named("s" + i, g.weight()).accepts(g.acceptsNewConnections())
                    .thresholds(g.minConnections(), g.maxConnections()).active(g.activeConnections())
                    .inactive(g.inactiveConnections()));
        }
        return servers;
    }

    /**
     * Picks 40 connections in a row, each new connection counted on its server as a proxy would, and checks
     * that no pick ever lands on a server with weight 0, one that does not accept connections, or one at or past
     * its connection limit (active + inactive at least {@code maxConnections}).
     */
    @Property(tries = 400)
    void noSchedulerEverPicksAServerWithWeightZeroOrDownOrAtItsConnectionLimit(@ForAll Scheduler scheduler,
            @ForAll @Size(min = 0, max = 8) List<@From("server") TestServer> generated,
            @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 0, max = 15) Integer> keys) {
        List<TestServer> servers = named(generated);
        Picker<TestServer> picker = Picker.create(scheduler, servers, TestServer::name);
        for (int key : keys) {
            Optional<TestServer> picked = picker.pick(PickKey.of("client-" + key));
            if (picked.isPresent()) {
                TestServer s = picked.get();
                assertThat(s.weight()).as("%s picked %s", scheduler, s).isPositive();
                assertThat(s.acceptsNewConnections()).as("%s picked %s", scheduler, s).isTrue();
                if (s.maxConnections() > 0) {
                    assertThat((long) s.activeConnections() + s.inactiveConnections()).as("%s picked %s", scheduler, s)
                            .isLessThan(s.maxConnections());
                }
                s.connect();
            }
        }
    }

    private static final Set<Scheduler> ALWAYS_FIND_ONE = EnumSet.of(Scheduler.RR, Scheduler.WRR, Scheduler.LC,
            Scheduler.WLC, Scheduler.SED, Scheduler.NQ, Scheduler.FO, Scheduler.SH, Scheduler.MH, Scheduler.LBLC,
            Scheduler.LBLCR);

    /**
     * Every scheduler but DH (which IPVS lets fail when the key's server is down) and OVF (which also skips
     * servers past their weight) finds a server whenever one is available, SH and MH thanks to their fallback.
     */
    @Property(tries = 400)
    void aSchedulerFindsAServerWheneverOneIsAvailable(@ForAll Scheduler scheduler,
            @ForAll @Size(min = 0, max = 8) List<@From("server") TestServer> generated,
            @ForAll String key) {
        List<TestServer> servers = named(generated);
        Picker<TestServer> picker = Picker.create(scheduler, servers, TestServer::name);
        boolean anyAvailable = servers.stream().anyMatch(TestServer::availableToANewPicker);
        Optional<TestServer> picked = picker.pick(PickKey.of(key));
        if (ALWAYS_FIND_ONE.contains(scheduler)) {
            assertThat(picked.isPresent()).as("%s over %s", scheduler, servers).isEqualTo(anyAvailable);
        } else if (scheduler == Scheduler.OVF) {
            boolean anyUnderWeight = servers.stream()
                    .anyMatch(s -> s.availableToANewPicker() && s.activeConnections() <= s.weight());
            assertThat(picked.isPresent()).as("OVF over %s", servers).isEqualTo(anyUnderWeight);
        } else {
            assertThat(picked.isEmpty() || anyAvailable).as("DH over %s", servers).isTrue();
        }
    }
}
