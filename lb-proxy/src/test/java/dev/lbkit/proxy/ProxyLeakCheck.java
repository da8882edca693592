package dev.lbkit.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaks: after each test it closes every {@link ProxyDataplane} and {@link AutoCloseable}
 * the test registered, then checks that every pooled buffer came back, that no connection stayed open and that
 * no {@code lbkit-proxy-io-} thread is left alive. Register with {@code @RegisterExtension} and {@link #track}.
 */
final class ProxyLeakCheck implements AfterEachCallback {
    private final List<ProxyDataplane> dataplanes = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();

    /** Closes and checks {@code dataplane} after the test; returns it. */
    ProxyDataplane track(ProxyDataplane dataplane) {
        dataplanes.add(dataplane);
        return dataplane;
    }

    /** Closes {@code resource} after the test (before the dataplanes are checked); returns it. */
    <T extends AutoCloseable> T closeAfter(T resource) {
        others.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : others) {
            c.close();
        }
        others.clear();
        List<Thread> threads = new ArrayList<>();
        for (ProxyDataplane d : dataplanes) {
            threads.addAll(d.threads());
            d.close();
        }
        for (ProxyDataplane d : dataplanes) {
            BufferStats b = d.bufferStats();
            assertThat(b.outstanding()).as("buffers leased and never returned: %s", b).isZero();
            assertThat(d.openConnections()).as("connections left open").isZero();
        }
        for (Thread t : threads) {
            assertThat(t.isAlive()).as("thread %s still alive after close()", t.getName()).isFalse();
        }
        dataplanes.clear();
    }

    /**
     * Waits (up to 10 s) until the dataplane's connections hold no buffer and none is open: what every test
     * expects once its clients are done.
     */
    static void awaitQuiet(ProxyDataplane d) {
        Loopback.await("no open connection and no buffer held by one", () -> d.openConnections() == 0
                && d.bufferStats().heldByConnections() == 0);
    }
}
