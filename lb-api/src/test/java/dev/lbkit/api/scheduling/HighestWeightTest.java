package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FO and OVF. */
class HighestWeightTest {
    private final TestServer primary = TestServer.named("primary", 10);
    private final TestServer secondary = TestServer.named("secondary", 5);
    private final TestServer twin = TestServer.named("twin", 10);

    @Test
    void failoverPicksTheHighestWeightAndTheFirstOnATie() {
        Picker<TestServer> picker = Picker.create(Scheduler.FO, List.of(secondary, primary, twin));
        assertThat(picker.pick(PickKey.none())).contains(primary);
        primary.active(1_000);
        assertThat(picker.pick(PickKey.none())).as("load does not matter").contains(primary);
    }

    @Test
    void failoverMovesToTheNextHighestWeightWhenTheFirstIsUnavailable() {
        Picker<TestServer> picker = Picker.create(Scheduler.FO, List.of(primary, secondary));
        primary.accepts(false);
        assertThat(picker.pick(PickKey.none())).contains(secondary);
        primary.accepts(true).thresholds(0, 3).active(3);
        assertThat(picker.pick(PickKey.none())).as("overloaded").contains(secondary);
        secondary.weight(0);
        assertThat(picker.pick(PickKey.none())).isEmpty();
    }

    @Test
    void overflowKeepsToTheHighestWeightUntilItsActiveConnectionsExceedItsWeight() {
        Picker<TestServer> picker = Picker.create(Scheduler.OVF, List.of(secondary, primary));
        primary.active(9);
        assertThat(picker.pick(PickKey.none())).contains(primary);
        primary.active(10);
        assertThat(picker.pick(PickKey.none())).as("IPVS: active == weight still takes one").contains(primary);
        primary.active(11);
        assertThat(picker.pick(PickKey.none())).contains(secondary);
        secondary.active(6);
        assertThat(picker.pick(PickKey.none())).isEmpty();
    }
}
