package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LBLC and LBLCR, on a clock the test moves. */
class LocalityTest {
    private long now = 1_000_000_000L;
    private final TestServer a = TestServer.named("a", 10);
    private final TestServer b = TestServer.named("b", 10);
    private final TestServer c = TestServer.named("c", 10);
    private final List<TestServer> servers = List.of(a, b, c);

    private Picker<TestServer> picker(Scheduler scheduler) {
        return Picker.create(scheduler, servers, TestServer::name, () -> now);
    }

    private static PickKey destination(String name) {
        return PickKey.of(name);
    }

    @Test
    void aDestinationSticksToItsServerEvenWhenAnotherIsLessLoaded() {
        Picker<TestServer> lblc = picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("d"))).contains(a);
        a.active(10);
        assertThat(lblc.pick(destination("d"))).contains(a);
        assertThat(lblc.pick(destination("e"))).as("a new destination gets the WLC choice").contains(b);
    }

    @Test
    void aDestinationSpillsWhenItsServerHasMoreActiveThanWeightAndAnotherHasFewerThanHalfItsWeight() {
        Picker<TestServer> lblc = picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("d"))).contains(a);
        a.active(11);
        b.active(5);
        c.active(4);
        assertThat(lblc.pick(destination("d"))).contains(c);
        a.active(0);
        assertThat(lblc.pick(destination("d"))).as("and sticks to its new server").contains(c);
    }

    @Test
    void aDestinationDoesNotSpillWhileNoOtherServerIsBelowHalfItsWeight() {
        Picker<TestServer> lblc = picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("d"))).contains(a);
        a.active(30);
        b.active(5);
        c.active(5);
        assertThat(lblc.pick(destination("d"))).contains(a);
    }

    @Test
    void aDestinationWhoseServerIsUnavailableGetsTheWlcChoice() {
        Picker<TestServer> lblc = picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("d"))).contains(a);
        a.accepts(false);
        b.active(1);
        assertThat(lblc.pick(destination("d"))).contains(c);
        a.accepts(true).thresholds(0, 5).active(5);
        assertThat(lblc.pick(destination("x"))).contains(c);
        assertThat(lblc.pick(destination("y"))).as("never the overloaded server").isNotEqualTo(a);
    }

    @Test
    void aDestinationUnusedForADayIsForgotten() {
        LocalityPicker<TestServer> lblc = (LocalityPicker<TestServer>) picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("old"))).contains(a);
        now += TimeUnit.HOURS.toNanos(23);
        assertThat(lblc.pick(destination("fresh"))).contains(a);
        assertThat(lblc.size()).isEqualTo(2);
        now += TimeUnit.HOURS.toNanos(1);
        a.active(1);
        assertThat(lblc.pick(destination("newer"))).contains(b);
        assertThat(lblc.size()).as("'old' is a day old and goes").isEqualTo(2);
        b.active(1);
        assertThat(lblc.pick(destination("old"))).as("so it is placed anew").contains(c);
    }

    @Test
    void theDestinationTableKeepsTheMostRecentlyUsedSixteenThousandThreeHundredEightyFour() {
        LocalityPicker<TestServer> lblc = (LocalityPicker<TestServer>) picker(Scheduler.LBLC);
        assertThat(lblc.pick(destination("first"))).contains(a);
        assertThat(lblc.pick(destination("second"))).contains(a);
        for (int i = 0; i < LocalityPicker.MAX_ENTRIES - 2; i++) {
            lblc.pick(destination("d" + i));
        }
        assertThat(lblc.size()).isEqualTo(LocalityPicker.MAX_ENTRIES);
        lblc.pick(destination("first"));
        lblc.pick(destination("one too many"));
        assertThat(lblc.size()).isEqualTo(LocalityPicker.MAX_ENTRIES);
        a.active(1);
        assertThat(lblc.pick(destination("first"))).as("used recently: kept").contains(a);
        assertThat(lblc.pick(destination("second"))).as("least recently used: evicted, placed anew").contains(b);
    }

    @Test
    void replicationGrowsADestinationsSetWhenItsServerSpillsAndUsesTheLeastLoadedMember() {
        ReplicatedLocalityPicker<TestServer> lblcr = (ReplicatedLocalityPicker<TestServer>) picker(Scheduler.LBLCR);
        assertThat(lblcr.pick(destination("d"))).contains(a);
        a.active(11);
        c.active(2);
        assertThat(lblcr.pick(destination("d"))).contains(b);
        assertThat(lblcr.members(destination("d"))).containsExactly(1, 0);
        b.active(6);
        a.active(3);
        assertThat(lblcr.pick(destination("d"))).as("least loaded of {b, a}, though c has fewer").contains(a);
    }

    @Test
    void replicationDropsTheMostLoadedMemberOfASetUnchangedForADay() {
        ReplicatedLocalityPicker<TestServer> lblcr = (ReplicatedLocalityPicker<TestServer>) picker(Scheduler.LBLCR);
        lblcr.pick(destination("d"));
        a.active(11);
        c.active(1);
        assertThat(lblcr.pick(destination("d"))).contains(b);
        a.active(8);
        b.active(2);
        now += TimeUnit.HOURS.toNanos(24);
        assertThat(lblcr.pick(destination("d"))).contains(b);
        assertThat(lblcr.members(destination("d"))).as("not yet: exactly a day").containsExactly(1, 0);
        now += 1;
        assertThat(lblcr.pick(destination("d"))).contains(b);
        assertThat(lblcr.members(destination("d"))).containsExactly(1);
    }

    @Test
    void replicationWithNoAvailableServerPicksNothing() {
        Picker<TestServer> lblcr = picker(Scheduler.LBLCR);
        assertThat(lblcr.pick(destination("d"))).contains(a);
        servers.forEach(s -> s.accepts(false));
        assertThat(lblcr.pick(destination("d"))).isEmpty();
        assertThat(lblcr.pick(destination("e"))).isEmpty();
    }
}
