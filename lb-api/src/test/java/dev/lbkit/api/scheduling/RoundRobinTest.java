package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final List<TestServer> servers = List.of(TestServer.named("a", 1), TestServer.named("b", 5),
            TestServer.named("c", 1), TestServer.named("d", 2));
    private final Picker<TestServer> picker = Picker.create(Scheduler.RR, servers);

    private String picks(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(picker.pick(PickKey.none()).map(TestServer::name).orElse("-"));
        }
        return s.toString();
    }

    @Test
    void roundRobinCyclesThroughTheServersInListOrderIgnoringWeights() {
        assertThat(picks(9)).isEqualTo("abcdabcda");
    }

    @Test
    void roundRobinSkipsUnavailableServersAndKeepsTheOthersInTurn() {
        servers.get(1).weight(0);
        servers.get(2).accepts(false);
        assertThat(picks(6)).isEqualTo("adadad");
    }

    @Test
    void aServerThatComesBackTakesItsTurnAfterTheLastPick() {
        servers.get(2).accepts(false);
        assertThat(picks(2)).isEqualTo("ab");
        servers.get(2).accepts(true);
        assertThat(picks(3)).isEqualTo("cda");
    }

    @Test
    void roundRobinWithNoAvailableServerPicksNothing() {
        servers.forEach(s -> s.accepts(false));
        assertThat(picks(2)).isEqualTo("--");
        assertThat(Picker.create(Scheduler.RR, List.<TestServer>of()).pick(PickKey.none())).isEmpty();
    }

    /** The cursor moves by compare-and-set, so concurrent picks still take turns: equal counts. */
    @Test
    void concurrentPicksStillGiveEveryServerTheSameNumberOfTurns() throws InterruptedException {
        int threads = 4;
        int perThread = 10_000;
        ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    String name = picker.pick(PickKey.none()).orElseThrow().name();
                    counts.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                }
            }, "rr-test-" + t);
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(counts).hasSize(4);
        counts.values().forEach(c -> assertThat(c.get()).isEqualTo(threads * perThread / 4));
    }
}
