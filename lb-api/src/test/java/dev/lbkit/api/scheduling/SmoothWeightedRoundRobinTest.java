package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Smooth WRR, with the bounds it is held to and why they hold.
 *
 * <p>Notation: {@code m} servers, all available, weights {@code w_i > 0}, {@code W = sum w_i}. After {@code k}
 * picks server {@code i} has {@code count_i(k)} of them and the algorithm's state is
 * {@code current_i = k*w_i - W*count_i} (each pick adds {@code w_i} to every {@code current_i} and takes
 * {@code W} from the winner's). Let {@code D_i = current_i / W = k*w_i/W - count_i}, the server's deficit in
 * picks; the deficits always sum to 0.
 *
 * <p><b>Bound.</b> For every set {@code S} of {@code s} servers, {@code sum_{i in S} D_i <= B_s} with
 * {@code B_m = 0} and {@code B_s = s/(s+1) * (1 + B_{s+1})}, which solves to {@code B_s = s * (H_m - H_s)}
 * ({@code H} the harmonic numbers). By induction on {@code k}: before a pick the winner's value
 * {@code P_i = D_i + w_i/W} is the largest; the values sum to 1. If {@code P_S > B_s}, the best of {@code S} has
 * at least {@code P_S/s}, while the best outside {@code S} has at most {@code 1 - P_S + B_{s+1}} (the other
 * outsiders form a complement of {@code s+1} servers, whose deficit sum is at least {@code -B_{s+1}}), which is
 * less; so {@code S} wins, and its sum drops by {@code 1 - w_S/W >= 0}. Otherwise the new sum is at most
 * {@code P_S <= B_s}. Ties never matter. Two consequences at every prefix {@code k}:
 * <ul>
 *   <li>under-service: {@code k*w_i/W - count_i <= B_1 = H_m - 1};</li>
 *   <li>over-service: {@code count_i - k*w_i/W = sum of the others' D <= B_{m-1} = (m-1)/m}.</li>
 * </ul>
 * Since the over-service is below 1, after {@code W} picks every {@code D_i = w_i - count_i} is an integer
 * {@code >= 0} summing to 0, so all are 0: every cycle of {@code W} picks gives exactly the weights, and the state
 * returns to all zeros. A run of {@code r} picks of server {@code i} changes {@code D_i} by
 * {@code -r(1 - w_i/W)}, at most from {@code H_m - 1} down to {@code -(m-1)/m}, so
 * {@code r <= W (H_m - 1/m) / (W - w_i)}.
 *
 * <p>Checked empirically first (30,000 random weight vectors, 1..20 servers, weights 1..100): no bound is ever
 * exceeded, and each is reached exactly for some vectors (e.g. two servers), so none can be tightened as
 * stated.
 */
class SmoothWeightedRoundRobinTest {

    private static List<TestServer> servers(List<Integer> weights) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            servers.add(TestServer.named("s" + i, weights.get(i)));
        }
        return servers;
    }

    private static int[] picks(List<TestServer> servers, int count) {
        Picker<TestServer> picker = Picker.create(Scheduler.WRR, servers);
        int[] picked = new int[count];
        for (int k = 0; k < count; k++) {
            picked[k] = servers.indexOf(picker.pick(PickKey.none()).orElseThrow());
        }
        return picked;
    }

    private static double harmonic(int m) {
        double h = 0;
        for (int j = 1; j <= m; j++) {
            h += 1.0 / j;
        }
        return h;
    }

    /** Exact shares: in each of three consecutive cycles of W picks, server i is picked exactly w_i times. */
    @Property(tries = 300)
    void everyCycleOfSumOfWeightsPicksGivesEachServerExactlyItsWeight(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 100) Integer> weights) {
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        int[] picked = picks(servers(weights), 3 * total);
        for (int cycle = 0; cycle < 3; cycle++) {
            int[] counts = new int[weights.size()];
            for (int k = cycle * total; k < (cycle + 1) * total; k++) {
                counts[picked[k]]++;
            }
            for (int i = 0; i < counts.length; i++) {
                assertThat(counts[i]).as("cycle %d, server %d of weights %s", cycle, i, weights)
                        .isEqualTo(weights.get(i));
            }
        }
    }

    /**
     * At every prefix of k picks: {@code count_i - k*w_i/W <= (m-1)/m} and {@code k*w_i/W - count_i <= H_m - 1}
     * (proof in the class Javadoc), checked in integers as {@code m*(W*count_i - k*w_i) <= (m-1)*W} and, for
     * the irrational-looking side, in doubles with a 1e-9 margin for rounding of {@code H_m}.
     */
    @Property(tries = 300)
    void atEveryPrefixEachServersCountStaysWithinTheProvenDistanceOfItsShare(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 100) Integer> weights) {
        int m = weights.size();
        long total = weights.stream().mapToInt(Integer::intValue).sum();
        int[] picked = picks(servers(weights), (int) (2 * total));
        double underBound = (harmonic(m) - 1) * total + 1e-9;
        long[] counts = new long[m];
        for (int k = 1; k <= picked.length; k++) {
            counts[picked[k - 1]]++;
            for (int i = 0; i < m; i++) {
                long surplus = total * counts[i] - k * (long) weights.get(i); // W * (count - k w / W)
                assertThat(m * surplus).as("over-service of server %d after %d picks, weights %s", i, k, weights)
                        .isLessThanOrEqualTo((m - 1) * total);
                assertThat((double) -surplus).as("under-service of server %d after %d picks, weights %s", i, k,
                        weights).isLessThanOrEqualTo(underBound);
            }
        }
    }

    /** No run of picks of server i is longer than {@code floor(W (H_m - 1/m) / (W - w_i))} (class Javadoc). */
    @Property(tries = 300)
    void noServerIsPickedMoreTimesInARowThanTheProvenBoundAllows(
            @ForAll @Size(min = 2, max = 20) List<@IntRange(min = 1, max = 100) Integer> weights) {
        int m = weights.size();
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        // Three cycles: a run may cross from one cycle into the next.
        int[] picked = picks(servers(weights), 3 * total);
        int run = 0;
        for (int k = 0; k < picked.length; k++) {
            run = k > 0 && picked[k] == picked[k - 1] ? run + 1 : 1;
            int w = weights.get(picked[k]);
            long bound = (long) Math.floor(total * (harmonic(m) - 1.0 / m) / (total - w) + 1e-9);
            assertThat((long) run).as("run of server %d ending at pick %d, weights %s", picked[k], k, weights)
                    .isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void weightsFiveOneOneGiveNginxsSmoothSequence() {
        int[] picked = picks(servers(List.of(5, 1, 1)), 14);
        assertThat(picked).containsExactly(0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void equalWeightsGoRoundInListOrder() {
        assertThat(picks(servers(List.of(3, 3, 3)), 6)).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void anUnavailableServerIsSkippedAndTheOthersKeepTheirRatio() {
        List<TestServer> servers = servers(List.of(2, 5, 1));
        servers.get(1).accepts(false);
        Picker<TestServer> picker = Picker.create(Scheduler.WRR, servers);
        int[] counts = new int[3];
        for (int k = 0; k < 30; k++) {
            counts[servers.indexOf(picker.pick(PickKey.none()).orElseThrow())]++;
        }
        assertThat(counts).containsExactly(20, 0, 10);
    }

    @Test
    void aWeightChangeTakesEffectAtTheNextPick() {
        List<TestServer> servers = servers(List.of(1, 1));
        Picker<TestServer> picker = Picker.create(Scheduler.WRR, servers);
        picker.pick(PickKey.none());
        picker.pick(PickKey.none());
        servers.get(0).weight(3);
        int[] counts = new int[2];
        for (int k = 0; k < 40; k++) {
            counts[servers.indexOf(picker.pick(PickKey.none()).orElseThrow())]++;
        }
        assertThat(counts).containsExactly(30, 10);
    }
}
