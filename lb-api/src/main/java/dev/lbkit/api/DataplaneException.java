package dev.lbkit.api;

/**
 * A dataplane could not do what it was asked. The message names the object and the reason, e.g.
 * {@code virtual server 'web' (10.0.0.1:80/tcp): bind 10.0.0.1:80: Address already in use}.
 */
public class DataplaneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String virtualServer;

    /**
     * @param virtualServer the label of the virtual server concerned, or null when none is
     * @param message       what failed and why, naming the object
     * @param cause         the underlying error, or null
     */
    public DataplaneException(String virtualServer, String message, Throwable cause) {
        super(message, cause);
        this.virtualServer = virtualServer;
    }

    public DataplaneException(String virtualServer, String message) {
        this(virtualServer, message, null);
    }

    /** The label of the virtual server concerned, or null. */
    public String virtualServer() {
        return virtualServer;
    }
}
