package dev.lbkit.ha;

/**
 * The HA module could not do something the operating system refused (a socket, an address, a namespace); the
 * message names the call and the reason.
 */
public class HaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HaException(String message) {
        super(message);
    }

    public HaException(String message, Throwable cause) {
        super(message, cause);
    }
}
