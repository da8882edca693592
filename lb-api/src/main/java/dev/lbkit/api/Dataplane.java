package dev.lbkit.api;

import java.util.Map;
import java.util.Set;

/**
 * A plug-in that makes virtual servers real: IPVS in the kernel, the NIO proxy, or an application's own.
 * {@link LoadBalancer} routes each virtual server to the one dataplane that supports all of its forwarding
 * methods and hands it only diffs. Found with {@link java.util.ServiceLoader} or passed to
 * {@link LoadBalancer.Builder#dataplane}.
 *
 * <h2>What a dataplane receives</h2>
 * The configurations in the diffs are <em>effective</em>: {@link LoadBalancer} has already folded requested
 * status and health into them, so a dataplane never needs to know about health checks:
 * <ul>
 *   <li>a real server with weight 0 gets no newly scheduled connection; live ones continue;</li>
 *   <li>{@link RequestedStatus#DRAIN} comes with weight 0: persisted clients (source IP, cookie) may still
 *       reach it;</li>
 *   <li>{@link RequestedStatus#OFFLINE} (asked by the operator, or a failed health check with
 *       {@link FailureAction#QUIESCE}) comes with weight 0: not even persisted clients reach it;</li>
 *   <li>a failed health check with {@link FailureAction#REMOVE} removes the real server from the diff's
 *       configuration;</li>
 *   <li>when no real server has a weight above 0, new connections go to the {@link VirtualServer#fallback()}
 *       server if there is one.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * {@link #apply} is called by one thread at a time. It either applies the whole diff or throws
 * {@link DataplaneException} after undoing what it applied of it, so that {@link LoadBalancer} can roll the
 * other dataplanes back and keep every dataplane consistent. Applying must not drop live connections except
 * where a removal asks for it. {@link #stats()} may be called from any thread at any time.
 */
public interface Dataplane extends AutoCloseable {

    /** A short name for messages and status, e.g. {@code ipvs} or {@code proxy}. */
    String name();

    /** The forwarding methods this dataplane can carry. */
    Set<ForwardingMethod> forwardingMethods();

    /**
     * Changes what runs by this diff of effective configurations.
     *
     * @throws DataplaneException naming the virtual server and the reason; nothing of the diff stays applied
     */
    void apply(ConfigurationDiff diff);

    /** Counters per virtual-server label, for the virtual servers this dataplane runs. */
    Map<String, VirtualServerStats> stats();

    /**
     * Closes the live connections of one real server, if the dataplane can (used by
     * {@link LoadBalancer#drain} at its deadline). The default cannot and returns false.
     *
     * @return true when the connections were closed
     */
    default boolean closeConnections(String virtualServer, String realServer) {
        return false;
    }

    /** Releases every socket and thread; live connections are closed. Idempotent. */
    @Override
    void close();
}
