package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * How many keys Maglev moves when one of N equally weighted servers leaves.
 *
 * <p>Only the leaving server's keys must move: 1/N of them. Maglev moves a little more, because the slots the
 * leaving server held are refilled by the others in turn, which shifts where their later turns land; how much
 * more depends on the table size per server. With IPVS's 4093 slots, measured over 156,000 random removals
 * (N from 2 to 50, random identities, slot by slot): the excess over 1/N has a median of 2.0%, a 99th
 * percentile of 2.8%, a 99.9th of 4.3% and a worst of 13.5%; the mean grows with N, from 1.1% at N = 10 to 2.4%
 * at N = 50. An independent re-implementation of the populate loop with random permutations measures the same
 * (1.3%, 1.6%, 2.3% at N = 10, 20, 50), so this is Maglev at this table size, not a flaw here. The rare large
 * excesses come from server sets in which two servers' permutations interfere (e.g. they share a skip), so that
 * a removal reshuffles both.
 *
 * <p>Hence two tests: a property that holds for every single removal, with a bound above the worst case seen
 * (1/N + 15%, and 85% of the keys of servers that stayed keep their server), and a statement about the typical
 * case, over 300 removals from a fixed seed: on average 1/N + at most 2.5% move and at most 2.5% of the
 * staying servers' keys move.
 */
class MaglevDisruptionTest {
    private static final int KEYS = 20_000;

    /** Keys moved by removing one server: all keys, and those whose server stayed. */
    private record Disruption(double movedFraction, double stayersMovedFraction) {}

    private static Disruption removeOne(int n, int leaving, Random random) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            servers.add(TestServer.named("10." + random.nextInt(256) + "." + random.nextInt(256) + "."
                    + random.nextInt(256) + ":" + (1 + random.nextInt(65535)), 1));
        }
        List<TestServer> remaining = new ArrayList<>(servers);
        TestServer left = remaining.remove(leaving);
        Picker<TestServer> before = Picker.create(Scheduler.MH, servers, TestServer::name);
        Picker<TestServer> after = Picker.create(Scheduler.MH, remaining, TestServer::name);
        byte[] key = new byte[8];
        int moved = 0;
        int stayers = 0;
        int stayersMoved = 0;
        for (int k = 0; k < KEYS; k++) {
            random.nextBytes(key);
            PickKey pickKey = PickKey.of(key);
            TestServer was = before.pick(pickKey).orElseThrow();
            TestServer is = after.pick(pickKey).orElseThrow();
            if (was != is) {
                moved++;
            }
            if (was != left) {
                stayers++;
                if (was != is) {
                    stayersMoved++;
                }
            }
        }
        return new Disruption(moved / (double) KEYS, stayers == 0 ? 0 : stayersMoved / (double) stayers);
    }

    @Property(tries = 60)
    void whenOneOfNServersLeavesAtMostOneNthPlusFifteenPercentOfTheKeysMove(
            @ForAll @IntRange(min = 2, max = 50) int n, @ForAll @IntRange(min = 0, max = 49) int leaving,
            @ForAll long seed) {
        Disruption d = removeOne(n, leaving % n, new Random(seed));
        assertThat(d.movedFraction()).as("keys moved when server %d of %d left", leaving % n, n)
                .isGreaterThan(1.0 / n - 0.02)
                .isLessThanOrEqualTo(1.0 / n + 0.15);
        assertThat(d.stayersMovedFraction()).as("keys of staying servers that moved").isLessThanOrEqualTo(0.15);
    }

    @Test
    void onAverageOneServerLeavingMovesOneNthOfTheKeysPlusAtMostTwoAndAHalfPercent() {
        Random random = new Random(20_240_601);
        int cases = 300;
        double[] excess = new double[cases];
        double stayersMoved = 0;
        for (int c = 0; c < cases; c++) {
            int n = 2 + random.nextInt(49);
            Disruption d = removeOne(n, random.nextInt(n), random);
            excess[c] = d.movedFraction() - 1.0 / n;
            stayersMoved += d.stayersMovedFraction();
        }
        assertThat(Arrays.stream(excess).average().orElseThrow()).as("mean excess over 1/N").isLessThanOrEqualTo(0.025);
        assertThat(stayersMoved / cases).as("mean share of staying servers' keys that moved")
                .isLessThanOrEqualTo(0.025);
    }
}
