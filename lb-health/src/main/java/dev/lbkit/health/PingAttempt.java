package dev.lbkit.health;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * An ICMP echo check: one echo request through its loop's shared {@link IcmpSocket} (unprivileged datagram
 * socket where allowed, raw socket otherwise), passed when the matching echo reply comes back within the timeout.
 * Nothing blocks and no thread is used per probe. With a source address, the request leaves from it.
 */
final class PingAttempt extends Attempt implements IcmpSocket.Waiter {
    private final Endpoint endpoint;
    private IcmpSocket socket;
    private int seq = -1;

    PingAttempt(EventLoop loop, ProbeKey key, Endpoint endpoint, Consumer<Outcome> done) {
        super(loop, key, done);
        this.endpoint = endpoint;
    }

    @Override
    void start() {
        try {
            socket = loop.icmp(endpoint.family(), endpoint.source());
            seq = socket.send(endpoint.target(), this);
        } catch (IOException e) {
            fail("ping: " + TcpAttempt.describe(e));
        }
    }

    @Override
    public void onReply() {
        seq = -1; // the socket forgot it already
        succeed("echo reply");
    }

    @Override
    void release() {
        if (socket != null && seq >= 0) {
            socket.forget(seq);
            seq = -1;
        }
    }

    @Override
    String timeoutReason() {
        return "no echo reply within " + seconds(timeoutNanos);
    }
}
