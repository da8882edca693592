package dev.lbkit.proxy;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * A client connection an {@link IoLoop} serves: a Layer 4 {@link TcpSession} or a Layer 7 {@link HttpSession}.
 * Linked into its loop's list (for the timeout sweep and for closing), confined to the loop's thread.
 */
abstract class Session implements IoHandler {
    final IoLoop loop;
    /** The virtual server whose VIP accepted the client connection. */
    final VirtualService service;
    /** Neighbours in {@link IoLoop#sessions}. */
    Session prev;
    Session next;

    Session(IoLoop loop, VirtualService service) {
        this.loop = loop;
        this.service = service;
    }

    /** Starts serving the accepted connection; on the loop thread. */
    abstract void start();

    /** Closes the socket of a session that was handed over but never started. */
    abstract void closeUnstarted();

    /** Checks timeouts and publishes counters; called by the loop's sweep. */
    abstract void sweep(long now);

    /** Closes everything this session holds; {@code abort} resets the sockets. Idempotent. */
    abstract void close(boolean abort);

    /**
     * A slot of a real server may be free: try to get one again (posted to this session's loop by
     * {@link VirtualService#slotFreed} after the session was taken out of the queue). A session that is no longer
     * waiting passes the slot on.
     */
    abstract void retryFromQueue();

    /** The virtual server whose queue held this session is gone: refuse what waited. On the loop thread. */
    abstract void dropFromQueue();

    /**
     * True when closing the connections of {@code svc} (of its real server {@code backend}, unless null) must
     * close this session.
     */
    abstract boolean belongsTo(VirtualService svc, Backend backend);

    /** The per-VIP socket options every proxied connection gets, client side and server side alike. */
    static void setSocketOptions(SocketChannel ch, ProxyOptions options) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, options.keepAlive());
    }
}
