package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.ConfigurationDiff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients keep requesting through a VIP while the file is edited and reloaded again and again (real servers
 * added, re-weighted, drained, removed; another VIP added and removed): not one request may fail, and each
 * reload changes only what the file changed.
 */
class ReloadUnderLoadIT {
    @TempDir
    Path dir;

    @Test
    void reloadsAppliedAsDifferencesDropNoRequest() throws Exception {
        try (TestBackend a = new TestBackend("a"); TestBackend b = new TestBackend("b");
                TestBackend c = new TestBackend("c")) {
            int vipPort = RunningAppliance.freePort();
            int otherPort = RunningAppliance.freePort();
            String base = "admin:\n  listen: off\nvirtualServers:\n  web:\n    vip: 127.0.0.1:" + vipPort + "/tcp\n"
                    + "    forwardingMethod: proxy\n    scheduler: %s\n    realServers:\n"
                    + "      a: {address: 127.0.0.1, port: " + a.port() + ", weight: %d}\n"
                    + "      b: {address: 127.0.0.1, port: " + b.port() + "%s}\n"
                    + "%s%s";
            String withC = "      c: {address: 127.0.0.1, port: " + c.port() + "}\n";
            String other = "  other:\n    vip: 127.0.0.1:" + otherPort + "/tcp\n    forwardingMethod: proxy\n"
                    + "    realServers:\n      a: {address: 127.0.0.1, port: " + a.port() + "}\n";
            List<String> versions = List.of(
                    String.format(base, "rr", 1, "", "", ""),
                    String.format(base, "rr", 1, "", withC, ""),
                    String.format(base, "rr", 5, "", withC, ""),
                    String.format(base, "wrr", 5, ", status: drain", withC, ""),
                    String.format(base, "wrr", 5, ", status: drain", withC, other),
                    String.format(base, "wrr", 2, "", "", other),
                    String.format(base, "rr", 1, "", "", ""));
            Path file = dir.resolve("lbkit.yaml");
            Files.writeString(file, versions.get(0));
            try (Appliance app = new Appliance(file, ConfigFiles.load(file), System.out)) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong ok = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                List<Thread> clients = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    Thread th = new Thread(() -> {
                        for (int i = 0; i < 20_000 && !stop.get(); i++) {
                            try {
                                RunningAppliance.fetch("127.0.0.1", vipPort);
                                ok.incrementAndGet();
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    }, "lbk-examples-client-" + t);
                    th.start();
                    clients.add(th);
                }
                List<ConfigurationDiff> diffs = new ArrayList<>();
                try {
                    for (int round = 0; round < 3; round++) {
                        for (int v = 1; v < versions.size(); v++) {
                            Thread.sleep(150);
                            Files.writeString(file, versions.get(v));
                            diffs.add(app.reload("test", "test").diff());
                        }
                    }
                    Thread.sleep(150);
                } finally {
                    stop.set(true);
                    for (Thread th : clients) {
                        th.join(30_000);
                    }
                }
                assertThat(failures).as("failed requests").isEmpty();
                assertThat(ok.get()).isGreaterThan(100);
                // Only the difference: the VIP 'web' is never removed and re-added, only changed in place.
                for (ConfigurationDiff d : diffs) {
                    assertThat(d.removed()).noneMatch(v -> v.label().equals("web"));
                    assertThat(d.added()).noneMatch(v -> v.label().equals("web"));
                }
                assertThat(diffs.get(0).changed().get(0).addedRealServers()).extracting("label").containsExactly("c");
            }
        }
    }
}
