package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.Scheduler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** SH, DH and MH: stable mapping, table layout, fallback. */
class HashingSchedulersTest {

    private static List<TestServer> servers(int... weights) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(TestServer.named("10.0.0." + (i + 1) + ":80", weights[i]));
        }
        return servers;
    }

    private static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 200)
    void sourceHashingAndMaglevMapAKeyToTheSameServerEveryTimeAndInEveryPickerOfTheSameList(
            @ForAll("hashingOnSource") Scheduler scheduler, @ForAll byte[] key,
            @ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 1, max = 5) int weight) {
        List<TestServer> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            servers.add(TestServer.named("rip-" + i, weight + i % 3));
        }
        Picker<TestServer> first = Picker.create(scheduler, servers, TestServer::name);
        Picker<TestServer> second = Picker.create(scheduler, List.copyOf(servers), TestServer::name);
        Optional<TestServer> picked = first.pick(PickKey.of(key));
        assertThat(picked).isPresent();
        for (int i = 0; i < 3; i++) {
            assertThat(first.pick(PickKey.of(key.clone()))).isEqualTo(picked);
            assertThat(second.pick(PickKey.of(key))).isEqualTo(picked);
        }
    }

    @Provide
    Arbitrary<Scheduler> hashingOnSource() {
        return Arbitraries.of(Scheduler.SH, Scheduler.MH);
    }

    @Test
    void sourceHashingGivesEachServerWeightConsecutiveBucketsInTurn() {
        BucketPicker<TestServer> picker = BucketPicker.sourceHashing(servers(2, 1, 3));
        int[] expected = new int[BucketPicker.BUCKETS];
        int[] cycle = {0, 0, 1, 2, 2, 2};
        for (int b = 0; b < expected.length; b++) {
            expected[b] = cycle[b % cycle.length];
        }
        assertThat(picker.buckets()).containsExactly(expected);
    }

    @Test
    void sourceHashingLeavesWeightZeroServersOutOfTheTable() {
        BucketPicker<TestServer> picker = BucketPicker.sourceHashing(servers(1, 0, 1));
        assertThat(picker.buckets()).doesNotContain(1).contains(0, 2);
    }

    @Test
    void aSourceHashingWeightOfTwoHundredFiftySixOrMoreTakesTheWholeTableAsInIpvs() {
        BucketPicker<TestServer> picker = BucketPicker.sourceHashing(servers(300, 1));
        assertThat(picker.buckets()).containsOnly(0);
    }

    @Test
    void sourceHashingSendsTheKeysOfAnUnavailableServerToTheNextBucketsServerAndMovesNoOtherKey() {
        List<TestServer> servers = servers(1, 1, 1, 1);
        Picker<TestServer> picker = Picker.create(Scheduler.SH, servers);
        Map<Integer, TestServer> before = new HashMap<>();
        for (int k = 0; k < 2000; k++) {
            before.put(k, picker.pick(PickKey.of(ip(192, 168, k >> 8, k))).orElseThrow());
        }
        TestServer down = servers.get(1);
        down.accepts(false);
        for (int k = 0; k < 2000; k++) {
            TestServer now = picker.pick(PickKey.of(ip(192, 168, k >> 8, k))).orElseThrow();
            if (before.get(k) == down) {
                // Bucket b holds server b mod 4; the next bucket holds the next server.
                assertThat(now).isSameAs(servers.get(2));
            } else {
                assertThat(now).isSameAs(before.get(k));
            }
        }
    }

    @Test
    void sourceHashingWithNoAvailableServerPicksNothing() {
        List<TestServer> servers = servers(1, 2);
        servers.forEach(s -> s.accepts(false));
        assertThat(Picker.create(Scheduler.SH, servers).pick(PickKey.of(ip(10, 1, 1, 1)))).isEmpty();
        assertThat(Picker.create(Scheduler.SH, servers(0, 0)).pick(PickKey.of(ip(10, 1, 1, 1)))).isEmpty();
    }

    @Test
    void destinationHashingFillsBucketsInTurnIgnoringWeights() {
        BucketPicker<TestServer> picker = BucketPicker.destinationHashing(servers(5, 1, 0));
        int[] buckets = picker.buckets();
        for (int b = 0; b < buckets.length; b++) {
            assertThat(buckets[b]).isEqualTo(b % 3);
        }
    }

    @Test
    void destinationHashingGivesNoServerWhenTheKeysServerIsUnavailable() {
        List<TestServer> servers = servers(1, 1, 1);
        Picker<TestServer> picker = Picker.create(Scheduler.DH, servers);
        for (int k = 0; k < 300; k++) {
            PickKey key = PickKey.of(ip(10, 0, 0, 1), ip(172, 16, k >> 8, k));
            TestServer server = picker.pick(key).orElseThrow();
            server.accepts(false);
            assertThat(picker.pick(key)).isEmpty();
            server.accepts(true);
        }
    }

    @Test
    void destinationHashingHashesTheDestinationAndSourceHashingTheSource() {
        List<TestServer> servers = servers(1, 1, 1, 1, 1, 1, 1, 1);
        Picker<TestServer> dh = Picker.create(Scheduler.DH, servers);
        Picker<TestServer> sh = Picker.create(Scheduler.SH, servers);
        InetAddress destination = ip(172, 16, 0, 1);
        InetAddress source = ip(10, 9, 8, 7);
        TestServer byDestination = dh.pick(PickKey.of(ip(10, 0, 0, 1), destination)).orElseThrow();
        TestServer bySource = sh.pick(PickKey.of(source, ip(172, 16, 0, 2))).orElseThrow();
        for (int k = 0; k < 50; k++) {
            assertThat(dh.pick(PickKey.of(ip(10, 0, 1, k), destination))).contains(byDestination);
            assertThat(sh.pick(PickKey.of(source, ip(172, 16, 1, k)))).contains(bySource);
        }
    }

    @Test
    void maglevGivesEachServerSlotsInProportionToItsWeight() {
        List<TestServer> servers = servers(1, 2, 3, 0);
        int[] table = MaglevPicker.populate(servers, servers.stream().map(TestServer::name).toArray(String[]::new));
        int[] slots = new int[4];
        for (int server : table) {
            slots[server]++;
        }
        // Rounds of 1 + 2 + 3 turns: 682 full rounds fill 4092 slots, and the 4093rd goes to the first server.
        assertThat(slots).containsExactly(683, 1364, 2046, 0);
    }

    @Test
    void maglevScalesLargeWeightsDownToSixBitsOfTurnsAsIpvs() {
        List<TestServer> servers = servers(1000, 10);
        int[] table = MaglevPicker.populate(servers, new String[] {"a", "b"});
        long first = Arrays.stream(table).filter(s -> s == 0).count();
        // weight/gcd = 100 and 1; fls(100) = 7 bits, so shift 1: 50 turns against 1. 80 rounds of 51 slots
        // fill 4080, and the first server takes the last 13.
        assertThat(first).isEqualTo(80 * 50 + 13);
    }

    @Test
    void maglevMovesOnlyTheKeysOfAnUnavailableServer() {
        List<TestServer> servers = servers(1, 1, 1, 1, 1);
        Picker<TestServer> picker = Picker.create(Scheduler.MH, servers, TestServer::name);
        Map<Integer, TestServer> before = new HashMap<>();
        for (int k = 0; k < 5000; k++) {
            before.put(k, picker.pick(PickKey.of("user-" + k)).orElseThrow());
        }
        TestServer down = servers.get(3);
        down.thresholds(0, 1).active(1);
        int moved = 0;
        for (int k = 0; k < 5000; k++) {
            TestServer now = picker.pick(PickKey.of("user-" + k)).orElseThrow();
            assertThat(now).isNotSameAs(down);
            if (before.get(k) != down) {
                assertThat(now).isSameAs(before.get(k));
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(800, 1200);
    }

    @Test
    void maglevWithEveryServerUnavailablePicksNothing() {
        List<TestServer> servers = servers(1, 1, 1);
        servers.forEach(s -> s.accepts(false));
        Picker<TestServer> picker = Picker.create(Scheduler.MH, servers, TestServer::name);
        assertThat(picker.pick(PickKey.of("k"))).isEmpty();
        assertThat(Picker.create(Scheduler.MH, servers(0, 0), TestServer::name).pick(PickKey.of("k"))).isEmpty();
    }

    @Test
    void maglevRejectsTwoServersWithOneIdentity() {
        List<TestServer> servers = List.of(TestServer.named("same", 1), TestServer.named("same", 2));
        assertThatThrownBy(() -> Picker.create(Scheduler.MH, servers, TestServer::name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("servers[0] and servers[1]").hasMessageContaining("'same'");
    }

    @Test
    void maglevsIdentityIgnoresListOrder() {
        List<TestServer> servers = servers(1, 1, 1, 1);
        List<TestServer> reversed = new ArrayList<>(servers);
        Collections.reverse(reversed);
        Picker<TestServer> a = Picker.create(Scheduler.MH, servers, TestServer::name);
        Picker<TestServer> b = Picker.create(Scheduler.MH, reversed, TestServer::name);
        int same = 0;
        for (int k = 0; k < 4000; k++) {
            if (a.pick(PickKey.of("k" + k)).equals(b.pick(PickKey.of("k" + k)))) {
                same++;
            }
        }
        // The fill order changes, the preferences do not: most keys keep their server.
        assertThat(same).isGreaterThan(3600);
    }
}
