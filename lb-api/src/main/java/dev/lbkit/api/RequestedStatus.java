package dev.lbkit.api;

/** What the operator asked of a real server. Requested status always wins over health. */
public enum RequestedStatus {
    /** In rotation whenever it is healthy. */
    ONLINE,
    /** Out of rotation: no new connections; what each dataplane does to live ones is in its documentation. */
    OFFLINE,
    /** Weight 0: no new connections, live connections (and, on the proxy, persisted clients) continue. */
    DRAIN
}
