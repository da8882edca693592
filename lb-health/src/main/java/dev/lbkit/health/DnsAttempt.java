package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import jnr.ffi.Pointer;

/**
 * A DNS check: one UDP query from a fresh connected socket (random ID and source port), judged on the first
 * response carrying the query's ID. Responses with another ID are ignored (counted in the reason if nothing else
 * comes). An ICMP port unreachable ends the attempt at once.
 */
final class DnsAttempt extends Attempt implements EventLoop.IoHandler {
    private final HealthCheck.Dns check;
    private final Endpoint endpoint;
    private final Native.LibC libc = Native.libc();
    private int fd = -1;
    private int id;
    private int strays;

    DnsAttempt(EventLoop loop, ProbeKey key, Endpoint endpoint, Consumer<Outcome> done) {
        super(loop, key, done);
        this.check = (HealthCheck.Dns) key.check();
        this.endpoint = endpoint;
    }

    @Override
    void start() {
        id = ThreadLocalRandom.current().nextInt(0x10000);
        try {
            fd = libc.socket(endpoint.family(), Native.SOCK_DGRAM | Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Native.exception("socket", Native.errno());
            }
            Pointer a = loop.address;
            if (endpoint.source() != null) {
                a.put(0, endpoint.source(), 0, endpoint.source().length);
                if (libc.bind(fd, a, endpoint.source().length) < 0) {
                    throw Native.exception("bind", Native.errno());
                }
            }
            byte[] t = endpoint.target();
            a.put(0, t, 0, t.length);
            if (libc.connect(fd, a, t.length) < 0) {
                throw Native.exception("connect", Native.errno());
            }
            byte[] q = DnsMessage.query(id, check.name(), check.type().code());
            loop.scratch.put(0, q, 0, q.length);
            if (libc.send(fd, loop.scratch, q.length, Native.MSG_NOSIGNAL) < 0) {
                throw Native.exception("send", Native.errno());
            }
            loop.register(fd, Native.EPOLLIN, this);
        } catch (IOException e) {
            fail("DNS query: " + TcpAttempt.describe(e));
        }
    }

    @Override
    public void onReady(int events) {
        byte[] b = new byte[4096];
        try {
            for (int i = 0; i < 16 && !isFinished(); i++) {
                long n = libc.recv(fd, loop.scratch, b.length, 0);
                if (n < 0) {
                    int e = Native.errno();
                    if (e == Native.EAGAIN || e == Native.EINTR) {
                        return;
                    }
                    throw Native.exception("recv", e);
                }
                loop.scratch.get(0, b, 0, (int) n);
                judge(b, (int) n);
            }
        } catch (PortUnreachableException e) {
            fail("DNS: port unreachable");
        } catch (IOException e) {
            fail("DNS: " + TcpAttempt.describe(e));
        }
    }

    private void judge(byte[] m, int n) {
        DnsMessage.Response r;
        try {
            r = DnsMessage.decode(m, n);
        } catch (DnsMessage.Malformed e) {
            fail("DNS: malformed response: " + e.getMessage());
            return;
        }
        if (r.id() != id || !r.isResponse()) {
            strays++;
            return;
        }
        String qName = HealthCheck.Dns.canonicalName(check.name());
        if (!r.questionName().equals(qName) || r.questionType() != check.type().code()) {
            fail("DNS: response is for another question (" + r.questionName() + " type " + r.questionType() + ")");
            return;
        }
        if (r.rcode() != 0) {
            fail("DNS " + DnsMessage.rcodeName(r.rcode()));
            return;
        }
        var matching = r.answers().stream().filter(a -> a.type() == check.type().code()).toList();
        if (matching.isEmpty()) {
            fail("DNS NOERROR but no " + check.type() + " record" + (r.truncated() ? " (truncated)" : ""));
            return;
        }
        if (check.expectedAnswer().isEmpty()) {
            succeed("DNS " + check.type() + " " + matching.get(0).data());
            return;
        }
        String want = check.expectedAnswer().get();
        for (DnsMessage.Record a : matching) {
            if (same(a.data(), want)) {
                succeed("DNS " + check.type() + " " + a.data());
                return;
            }
        }
        fail("DNS " + check.type() + " answers " + matching.stream().map(DnsMessage.Record::data).toList()
                + " do not include " + want);
    }

    private boolean same(String data, String want) {
        switch (check.type()) {
            case A:
            case AAAA:
                try {
                    return InetAddress.getByName(data).equals(InetAddress.getByName(want));
                } catch (IOException e) {
                    return false;
                }
            case TXT:
                return data.equals(want);
            default:
                return data.equals(HealthCheck.Dns.canonicalName(want));
        }
    }

    @Override
    void release() {
        loop.close(fd);
        fd = -1;
    }

    @Override
    String timeoutReason() {
        return "DNS: no answer within " + seconds(timeoutNanos) + (strays > 0 ? " (" + strays
                + " responses with another ID)" : "");
    }
}
