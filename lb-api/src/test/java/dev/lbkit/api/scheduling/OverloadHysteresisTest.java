package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IPVS's overload hysteresis ({@code ip_vs_bind_dest} / {@code ip_vs_unbind_dest}), seen through a picker. */
class OverloadHysteresisTest {
    private final TestServer server = TestServer.named("only", 1);
    private final Picker<TestServer> picker = Picker.create(Scheduler.LC, List.of(server));

    private boolean takesAConnectionAt(int connections) {
        server.active(connections);
        return picker.pick(PickKey.none()).isPresent();
    }

    @Test
    void serverBecomesOverloadedWhenItsConnectionsReachMaxConnections() {
        server.thresholds(0, 10);
        assertThat(takesAConnectionAt(9)).isTrue();
        assertThat(takesAConnectionAt(10)).isFalse();
        assertThat(takesAConnectionAt(11)).isFalse();
    }

    @Test
    void overloadedServerTakesConnectionsAgainOnlyBelowMinConnections() {
        server.thresholds(5, 10);
        assertThat(takesAConnectionAt(10)).isFalse();
        assertThat(takesAConnectionAt(9)).isFalse();
        assertThat(takesAConnectionAt(5)).isFalse();
        assertThat(takesAConnectionAt(4)).isTrue();
        // Relieved, it stays available all the way up to the upper threshold again.
        assertThat(takesAConnectionAt(9)).isTrue();
        assertThat(takesAConnectionAt(10)).isFalse();
    }

    @Test
    void withoutMinConnectionsOverloadedServerReturnsBelowThreeQuartersOfMax() {
        server.thresholds(0, 8);
        assertThat(takesAConnectionAt(8)).isFalse();
        assertThat(takesAConnectionAt(7)).isFalse();
        assertThat(takesAConnectionAt(6)).as("6 * 4 = 24 is not below 8 * 3 = 24").isFalse();
        assertThat(takesAConnectionAt(5)).isTrue();
    }

    @Test
    void inactiveConnectionsCountAgainstTheThresholds() {
        server.thresholds(0, 10).inactive(4);
        assertThat(takesAConnectionAt(5)).isTrue();
        assertThat(takesAConnectionAt(6)).isFalse();
        server.inactive(0);
        assertThat(takesAConnectionAt(6)).isTrue();
    }

    @Test
    void serverWithoutMaxConnectionsIsNeverOverloaded() {
        server.thresholds(3, 0);
        assertThat(takesAConnectionAt(1_000_000)).isTrue();
    }

    @Test
    void removingTheUpperThresholdClearsTheOverload() {
        server.thresholds(0, 10);
        assertThat(takesAConnectionAt(10)).isFalse();
        server.thresholds(0, 0);
        assertThat(takesAConnectionAt(9)).isTrue();
    }

    @Test
    void aNewPickerStartsWithTheServerNotOverloaded() {
        server.thresholds(0, 10);
        assertThat(takesAConnectionAt(10)).isFalse();
        server.active(9);
        assertThat(picker.pick(PickKey.none())).as("the old picker remembers").isEmpty();
        assertThat(Picker.create(Scheduler.LC, List.of(server)).pick(PickKey.none())).as("a new one does not")
                .contains(server);
    }

    @Test
    void anOverloadedServerIsSkippedInFavourOfTheNextOne() {
        TestServer other = TestServer.named("other", 1).active(50);
        Picker<TestServer> two = Picker.create(Scheduler.LC, List.of(server, other));
        server.thresholds(0, 4).active(4);
        assertThat(two.pick(PickKey.none())).contains(other);
        server.active(3);
        assertThat(two.pick(PickKey.none())).as("3 * 4 = 12 is not below 4 * 3").contains(other);
        server.active(2);
        assertThat(two.pick(PickKey.none())).contains(server);
    }
}
