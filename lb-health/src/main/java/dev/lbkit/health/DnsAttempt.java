package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A DNS check: one UDP query from a fresh connected socket (random ID and source port), judged on the first
 * response carrying the query's ID. Responses with another ID are ignored (counted in the reason if nothing else
 * comes). An ICMP port unreachable ends the attempt at once.
 */
final class DnsAttempt extends Attempt implements EventLoop.IoHandler {
    private final HealthCheck.Dns check;
    private DatagramChannel channel;
    private int id;
    private int strays;

    DnsAttempt(EventLoop loop, ProbeKey key, Consumer<Outcome> done) {
        super(loop, key, done);
        this.check = (HealthCheck.Dns) key.check();
    }

    @Override
    void start() {
        id = ThreadLocalRandom.current().nextInt(0x10000);
        try {
            channel = DatagramChannel.open();
            channel.configureBlocking(false);
            var source = check.settings().sourceAddress();
            if (source.isPresent()) {
                channel.bind(new InetSocketAddress(source.get(), 0));
            }
            channel.connect(new InetSocketAddress(key.address(), key.port()));
            channel.write(ByteBuffer.wrap(DnsMessage.query(id, check.name(), check.type().code())));
            channel.register(loop.selector(), SelectionKey.OP_READ, this);
        } catch (IOException e) {
            fail("DNS query: " + TcpAttempt.describe(e));
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        try {
            for (int i = 0; i < 16 && !isFinished(); i++) {
                b.clear();
                int n = channel.read(b);
                if (n <= 0) {
                    return;
                }
                judge(b.array(), n);
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
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    String timeoutReason() {
        return "DNS: no answer within " + seconds(timeoutNanos) + (strays > 0 ? " (" + strays
                + " responses with another ID)" : "");
    }
}
