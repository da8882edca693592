package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthCheck.Dns.Type;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The DNS check against a UDP server on loopback that answers, refuses, stays silent or sends garbage. */
class DnsCheckTest {
    private final Harness h = new Harness();
    private DatagramSocket server;

    @AfterEach
    void close() {
        h.close();
        if (server != null) {
            server.close();
        }
    }

    /** Starts a server that answers each query with {@code answer(query)}, or nothing when that is null. */
    private int serve(UnaryOperator<byte[]> answer) throws Exception {
        server = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            while (!server.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    server.receive(p);
                    byte[] a = answer.apply(Arrays.copyOf(p.getData(), p.getLength()));
                    if (a != null) {
                        server.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
                    }
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }, "dns-server");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    /** The query echoed with QR set, this rcode, and one A record 10.0.0.1 when rcode is 0. */
    private static byte[] answerA(byte[] q, int rcode) {
        byte[] a = Arrays.copyOf(q, q.length + (rcode == 0 ? 16 : 0));
        a[2] = (byte) 0x81;
        a[3] = (byte) (0x80 | rcode);
        if (rcode == 0) {
            a[7] = 1;
            byte[] rr = {(byte) 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1};
            System.arraycopy(rr, 0, a, q.length, rr.length);
        }
        return a;
    }

    private HealthReport run(HealthCheck.Dns check, int port) {
        h.check(check.withSettings(quick()), "127.0.0.1", port);
        return h.first();
    }

    @Test
    void anAnswerWithTheExpectedAddressPasses() throws Exception {
        int port = serve(q -> answerA(q, 0));
        HealthReport r = run(HealthCheck.dns("www.example.com", Type.A).withExpectedAnswer("10.0.0.1"), port);
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("DNS A 10.0.0.1");
    }

    @Test
    void anAnswerWithoutTheExpectedAddressFails() throws Exception {
        int port = serve(q -> answerA(q, 0));
        HealthReport r = run(HealthCheck.dns("www.example.com", Type.A).withExpectedAnswer("10.0.0.2"), port);
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("DNS A answers [10.0.0.1] do not include 10.0.0.2");
    }

    @Test
    void nxdomainFails() throws Exception {
        int port = serve(q -> answerA(q, 3));
        assertThat(run(HealthCheck.dns("nope.example", Type.A), port).reason()).isEqualTo("DNS NXDOMAIN");
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        int port = serve(q -> null);
        assertThat(run(HealthCheck.dns("www.example.com", Type.A), port).reason())
                .isEqualTo("DNS: no answer within 150 ms");
    }

    @Test
    void garbageIsAMalformedResponse() throws Exception {
        int port = serve(q -> new byte[] {1, 2, 3});
        assertThat(run(HealthCheck.dns("www.example.com", Type.A), port).reason())
                .startsWith("DNS: malformed response");
    }

    @Test
    void aClosedPortIsReportedAsUnreachable() throws Exception {
        int port = serve(q -> null);
        server.close();
        HealthReport r = run(HealthCheck.dns("www.example.com", Type.A), port);
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isIn("DNS: port unreachable", "DNS: no answer within 150 ms");
    }

    @Test
    void aResponseWithAnotherIdIsIgnored() throws Exception {
        int port = serve(q -> {
            byte[] a = answerA(q, 0);
            a[0] ^= 0x55;
            return a;
        });
        assertThat(run(HealthCheck.dns("www.example.com", Type.A), port).reason())
                .isEqualTo("DNS: no answer within 150 ms (1 responses with another ID)");
    }
}
