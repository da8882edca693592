package dev.lbkit.examples.appliance;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.HealthMonitor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HealthMonitor} that builds the real one (lb-health's checker) on its own thread, so that building it
 * (it loads the JDK's trust store for HTTPS checks and JNR-FFI for its event loop) does not delay the first
 * request: the load balancer applies the configuration and its VIPs listen while the checker is made. Real
 * servers count as their checks' {@code initiallyUp} until the first results, as with a checker built inline.
 * The latest configuration is handed over as soon as the checker runs; later updates go straight through.
 */
final class DeferredHealthMonitor implements HealthMonitor {
    private static final Logger log = LoggerFactory.getLogger(DeferredHealthMonitor.class);

    private final Supplier<? extends HealthMonitor> factory;
    private final Object updateLock = new Object();
    private final Object lock = new Object();
    private HealthMonitor monitor; // null until built and started
    private Configuration latest; // guarded by updateLock
    private boolean closed; // guarded by lock

    DeferredHealthMonitor(Supplier<? extends HealthMonitor> factory) {
        this.factory = factory;
    }

    @Override
    public void start(Sink sink) {
        Thread t = new Thread(() -> build(sink), "lbkit-health-start");
        t.setDaemon(true);
        t.start();
    }

    private void build(Sink sink) {
        HealthMonitor m;
        try {
            m = factory.get();
            m.start(sink);
        } catch (RuntimeException | Error e) {
            log.error("the health checker cannot start; real servers stay as their checks' initiallyUp says", e);
            return;
        }
        synchronized (updateLock) {
            synchronized (lock) {
                if (closed) {
                    m.close();
                    return;
                }
                monitor = m;
            }
            if (latest != null) {
                m.update(latest);
            }
        }
    }

    @Override
    public void update(Configuration configuration) {
        synchronized (updateLock) {
            latest = configuration;
            HealthMonitor m;
            synchronized (lock) {
                m = monitor;
            }
            if (m != null) {
                m.update(configuration);
            }
        }
    }

    /** True once the real monitor runs. */
    boolean running() {
        synchronized (lock) {
            return monitor != null;
        }
    }

    @Override
    public void close() {
        HealthMonitor m;
        synchronized (lock) {
            closed = true;
            m = monitor;
        }
        if (m != null) {
            m.close();
        }
    }
}
