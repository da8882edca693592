package dev.lbkit.netlink;

/**
 * A system call on a netlink socket failed, or the kernel answered a request with an error. The message
 * names what was being done and the kernel's reason, e.g.
 * {@code IPVS NEW_SERVICE: File exists (EEXIST)}, followed by the kernel's extended-ACK text when it sent one.
 */
public class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String kernelMessage;

    /**
     * @param errno         the positive errno, or 0 when none applies (e.g. a malformed reply)
     * @param kernelMessage the extended-ACK text (NLMSGERR_ATTR_MSG), or null
     * @param message       the whole message
     */
    public NetlinkException(int errno, String kernelMessage, String message) {
        super(message);
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** An error with errno, described as {@code what: text (NAME)[: kernel message]}. */
    public static NetlinkException of(String what, int errno, String kernelMessage) {
        String m = what + ": " + Errno.describe(errno) + (kernelMessage == null ? "" : ": " + kernelMessage);
        return new NetlinkException(errno, kernelMessage, m);
    }

    /** The positive errno, or 0. */
    public int errno() {
        return errno;
    }

    /** The kernel's extended-ACK message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** {@code File exists (EEXIST)} plus the extended-ACK text, without what was being done. */
    public String reason() {
        return errno == 0 ? getMessage() : Errno.describe(errno) + (kernelMessage == null ? "" : ": " + kernelMessage);
    }
}
