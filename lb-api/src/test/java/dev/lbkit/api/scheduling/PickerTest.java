package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PickerTest {

    @Test
    void everySchedulerHasAPickerThatReportsItsSchedulerAndServers() {
        List<TestServer> servers = List.of(TestServer.named("a", 1), TestServer.named("b", 2));
        for (Scheduler scheduler : Scheduler.values()) {
            Picker<TestServer> picker = Picker.create(scheduler, servers, TestServer::name);
            assertThat(picker.scheduler()).isEqualTo(scheduler);
            assertThat(picker.servers()).containsExactlyElementsOf(servers);
            assertThat(picker.pick(PickKey.of("k"))).as("%s", scheduler).isPresent();
            assertThat(picker.toString()).contains(scheduler.ipvsName()).contains("2 servers");
        }
    }

    @Test
    void aPickerWithoutServersNeverPicks() {
        for (Scheduler scheduler : Scheduler.values()) {
            assertThat(Picker.create(scheduler, List.<TestServer>of()).pick(PickKey.of("k"))).as("%s", scheduler)
                    .isEmpty();
        }
    }

    @Test
    void thePickerKeepsACopyOfTheListThatCannotBeChanged() {
        List<TestServer> servers = new ArrayList<>(List.of(TestServer.named("a", 1)));
        Picker<TestServer> picker = Picker.create(Scheduler.RR, servers);
        servers.add(TestServer.named("b", 1));
        assertThat(picker.servers()).hasSize(1);
        assertThatThrownBy(() -> picker.servers().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void createRefusesNullsNamingWhatIsNull() {
        List<TestServer> withNull = Arrays.asList(TestServer.named("a", 1), null);
        assertThatThrownBy(() -> Picker.create(Scheduler.RR, withNull)).isInstanceOf(NullPointerException.class)
                .hasMessage("servers[1] is null");
        assertThatThrownBy(() -> Picker.create(null, List.<TestServer>of())).isInstanceOf(NullPointerException.class)
                .hasMessage("scheduler");
        assertThatThrownBy(() -> Picker.create(Scheduler.MH, List.of(TestServer.named("a", 1)), s -> null))
                .isInstanceOf(NullPointerException.class).hasMessage("identity of servers[0] is null");
        Picker<TestServer> picker = Picker.create(Scheduler.RR, List.of(TestServer.named("a", 1)));
        assertThatThrownBy(() -> picker.pick(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    }

    @Test
    void weightsAboveTheIpvsMaximumCountAsTheMaximum() {
        TestServer huge = TestServer.named("huge", Integer.MAX_VALUE).active(1_000_000);
        TestServer max = TestServer.named("max", 65535).active(999_999);
        // Unclamped, huge would be the least loaded by far; clamped to 65535 it carries one connection more.
        // (Clamping is what keeps overhead * weight within a long for any int counts.)
        assertThat(Picker.create(Scheduler.WLC, List.of(huge, max)).pick(PickKey.none())).contains(max);
    }
}
