package dev.lbkit.api;

/**
 * The SPI between {@link LoadBalancer} and a health checker (lb-health's engine, or an application's own).
 * The load balancer calls {@link #start} once when it is built, then {@link #update} with the whole desired
 * configuration after every change; the monitor checks the real servers of every virtual server whose
 * {@link VirtualServer#healthCheck()} is not {@link HealthCheck#none()} and reports each state change (and, as
 * it likes, each result) to the sink.
 *
 * <p>Threads: {@code update} is called by one thread at a time, never under the load balancer's lock, and must
 * not block for long (it reschedules; it does not probe). The sink may be called from any thread.
 */
public interface HealthMonitor extends AutoCloseable {

    /** Where results go: {@link LoadBalancer#reportHealth} in practice. */
    @FunctionalInterface
    interface Sink {
        void report(String virtualServer, String realServer, HealthReport report);
    }

    /** Starts the monitor; results go to {@code sink}. Called once. */
    void start(Sink sink);

    /** The desired configuration changed (or is first known): add, remove and reschedule checks. */
    void update(Configuration configuration);

    /** Stops every check and releases threads and sockets. Idempotent. */
    @Override
    void close();
}
