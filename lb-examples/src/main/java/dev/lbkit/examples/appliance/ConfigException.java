package dev.lbkit.examples.appliance;

/**
 * A configuration (file or request body) that cannot be used, with where: {@code file:line:column: field: what}.
 * The message is meant for operators as is.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final int line;

    ConfigException(Node.Location at, String message) {
        super(at.prefix() + message);
        this.field = at.path();
        this.line = at.line();
    }

    ConfigException(Node.Location at, String message, Throwable cause) {
        super(at.prefix() + message, cause);
        this.field = at.path();
        this.line = at.line();
    }

    /** The dotted path of the field at fault, e.g. {@code virtualServers.web.realServers.app1.port}. */
    public String field() {
        return field;
    }

    /** The 1-based line of the value at fault. */
    public int line() {
        return line;
    }
}
