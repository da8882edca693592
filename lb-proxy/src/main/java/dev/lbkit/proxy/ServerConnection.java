package dev.lbkit.proxy;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A connection from the HTTP proxy to a real server. While an {@link HttpSession} uses it, its key is attached to
 * that session; while idle it sits in its loop's {@link ServerConnectionPool} and handles its own key: any byte
 * or end of stream from an idle server means the connection cannot be reused, so it is closed. Loop-confined.
 */
final class ServerConnection implements IoHandler {
    final Backend backend;
    final SocketChannel channel;
    final ServerConnectionPool pool;
    SelectionKey key;
    /** When it went idle ({@link IoLoop#now}). */
    long idleSince;
    /** Requests it carried. */
    int requests;
    /** Neighbours in the pool's idle list of its backend. */
    ServerConnection newer;
    ServerConnection older;
    boolean idle;
    boolean closed;

    ServerConnection(Backend backend, SocketChannel channel, ServerConnectionPool pool) {
        this.backend = backend;
        this.channel = channel;
        this.pool = pool;
    }

    /** An idle server spoke or closed: it cannot carry another request. */
    @Override
    public void onReady(SelectionKey k) throws IOException {
        ByteBuffer scratch = pool.loop.scratch;
        scratch.clear();
        channel.read(scratch); // -1 (closed) or unexpected bytes: either way this connection is done
        scratch.clear();
        pool.remove(this);
        close(false);
    }

    @Override
    public void onFailure(Throwable error) {
        pool.remove(this);
        close(true);
    }

    /** Closes the socket; {@code reset} aborts it. Idempotent. */
    void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (reset && channel.isOpen()) {
                try {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // already reset
                }
            }
            channel.close();
        } catch (IOException ignored) {
            // the descriptor is released either way
        }
    }
}
