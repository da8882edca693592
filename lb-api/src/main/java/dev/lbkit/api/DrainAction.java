package dev.lbkit.api;

/** What {@link LoadBalancer#drain(String, String, java.time.Duration, DrainAction)} does when it ends. */
public enum DrainAction {
    /** Leave the real server drained (weight 0) in the configuration. */
    KEEP,
    /** Remove the real server from the configuration (connections left at the deadline finish). */
    REMOVE,
    /** At the deadline, close the connections left (where the dataplane can); the server stays drained. */
    CLOSE_CONNECTIONS
}
