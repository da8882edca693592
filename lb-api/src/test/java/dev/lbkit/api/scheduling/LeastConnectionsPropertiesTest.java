package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** LC, WLC, SED and NQ against a brute-force reference with exact fractions. */
class LeastConnectionsPropertiesTest {

    /** A load as the fraction numerator / denominator, compared exactly. */
    private record Load(BigInteger numerator, BigInteger denominator) implements Comparable<Load> {
        static Load of(long numerator, long denominator) {
            return new Load(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
        }

        @Override
        public int compareTo(Load o) {
            return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
        }
    }

    private static Load load(Scheduler scheduler, TestServer s) {
        long overhead = 256L * s.activeConnections() + s.inactiveConnections();
        switch (scheduler) {
            case LC:
                return Load.of(overhead, 1);
            case WLC:
                return Load.of(overhead, s.weight());
            case SED:
            case NQ:
                return Load.of(s.activeConnections() + 1L, s.weight());
            default:
                throw new AssertionError(scheduler);
        }
    }

    /** The first available server with the least load; for NQ the first idle available server if any. */
    private static Optional<TestServer> reference(Scheduler scheduler, List<TestServer> servers) {
        if (scheduler == Scheduler.NQ) {
            for (TestServer s : servers) {
                if (s.availableToANewPicker() && s.activeConnections() == 0) {
                    return Optional.of(s);
                }
            }
        }
        TestServer best = null;
        for (TestServer s : servers) {
            if (s.availableToANewPicker()
                    && (best == null || load(scheduler, s).compareTo(load(scheduler, best)) < 0)) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    @Property(tries = 1000)
    void aLeastConnectionSchedulerPicksTheFirstOfTheLeastLoadedAvailableServers(
            @ForAll("leastConnectionSchedulers") Scheduler scheduler,
            @ForAll @Size(min = 0, max = 12) List<@IntRange(min = 0, max = 40) Integer> active,
            @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 0, max = 600) Integer> inactive,
            @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 0, max = 7) Integer> weights,
            @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 0, max = 50) Integer> limits) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            // Thresholds on some servers (limit 10..50 becomes 100..500), so some are overloaded.
            servers.add(TestServer.named("s" + i, weights.get(i)).active(active.get(i)).inactive(inactive.get(i))
                    .thresholds(0, limits.get(i) < 10 ? 0 : limits.get(i) * 10));
        }
        Picker<TestServer> picker = Picker.create(scheduler, servers);
        assertThat(picker.pick(PickKey.none())).as("%s over %s", scheduler, servers)
                .isEqualTo(reference(scheduler, servers));
    }

    @Provide
    Arbitrary<Scheduler> leastConnectionSchedulers() {
        return Arbitraries.of(Scheduler.LC, Scheduler.WLC, Scheduler.SED, Scheduler.NQ);
    }

    @Test
    void leastConnectionsCountsAnInactiveConnectionAsOneTwoHundredFiftySixthOfAnActiveOne() {
        TestServer a = TestServer.named("a", 1).active(1);
        TestServer b = TestServer.named("b", 1).inactive(255);
        TestServer c = TestServer.named("c", 1).inactive(256);
        assertThat(Picker.create(Scheduler.LC, List.of(a, c, b)).pick(PickKey.none())).contains(b);
        assertThat(Picker.create(Scheduler.LC, List.of(a, c)).pick(PickKey.none())).as("a tie goes to the first")
                .contains(a);
    }

    @Test
    void weightedLeastConnectionsDividesByWeight() {
        TestServer light = TestServer.named("light", 1).active(3);
        TestServer heavy = TestServer.named("heavy", 4).active(10);
        assertThat(Picker.create(Scheduler.WLC, List.of(light, heavy)).pick(PickKey.none())).contains(heavy);
        heavy.active(12);
        assertThat(Picker.create(Scheduler.WLC, List.of(light, heavy)).pick(PickKey.none()))
                .as("3/1 = 12/4: the first").contains(light);
    }

    @Test
    void shortestExpectedDelaySendsAFirstConnectionToTheHeavierOfTwoIdleServers() {
        TestServer light = TestServer.named("light", 1);
        TestServer heavy = TestServer.named("heavy", 3);
        assertThat(Picker.create(Scheduler.SED, List.of(light, heavy)).pick(PickKey.none())).contains(heavy);
        assertThat(Picker.create(Scheduler.WLC, List.of(light, heavy)).pick(PickKey.none()))
                .as("where WLC sees a tie").contains(light);
    }

    @Test
    void neverQueueTakesAnIdleServerEvenWhenSedWouldNot() {
        TestServer busy = TestServer.named("busy", 100).active(1);
        TestServer idle = TestServer.named("idle", 1);
        assertThat(Picker.create(Scheduler.SED, List.of(busy, idle)).pick(PickKey.none())).contains(busy);
        assertThat(Picker.create(Scheduler.NQ, List.of(busy, idle)).pick(PickKey.none())).contains(idle);
    }
}
