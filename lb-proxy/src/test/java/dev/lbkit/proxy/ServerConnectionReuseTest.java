package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.vip;
import static dev.lbkit.proxy.RawHttpServer.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.RealServer;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idle server connections are kept for reuse up to {@code maxIdleServerConnections} per real server and I/O
 * thread (default 1024): a burst of concurrent requests leaves its connections for the next burst instead of
 * closing most of them and connecting again (at 400 concurrent requests the old default of 64 made a third of
 * all requests open a new connection). A real server on loopback holds the requests of each burst until all are
 * in.
 */
class ServerConnectionReuseTest {
    private static final int BURST = 100;

    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private final Semaphore gate = new Semaphore(0);

    private RawHttpServer server() throws Exception {
        return leaks.closeAfter(new RawHttpServer((head, socket, out) -> {
            if (!gate.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never let the request go");
            }
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
        }));
    }

    /** Sends one request on each client and waits until the server holds all of them. */
    private static void send(List<Socket> clients, RawHttpServer app, int before) throws Exception {
        for (Socket s : clients) {
            s.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        Loopback.await("the burst is at the server", () -> app.requests.get() == before + clients.size());
    }

    @Test
    void aBurstLeavesEveryServerConnectionItOpenedForTheNextBurst() throws Exception {
        RawHttpServer app = server();
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                .realServer(RealServer.builder("app").address(Loopback.HOST).port(app.port()).build()).build()));
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < BURST; i++) {
                clients.add(Loopback.connect(port));
            }
            for (int round = 0; round < 2; round++) {
                send(clients, app, round * BURST);
                assertThat(app.accepted.get()).as("one server connection per request in flight").isEqualTo(BURST);
                gate.release(BURST);
                for (Socket s : clients) {
                    assertThat(Http.readResponse(s.getInputStream()).text()).isEqualTo("ok");
                }
            }
            assertThat(app.accepted.get()).as("the second burst reused the first one's connections")
                    .isEqualTo(BURST);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }
}
