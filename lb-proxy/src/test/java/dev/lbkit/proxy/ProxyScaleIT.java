package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.vip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.RealServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 9,000 concurrent connections held open through the proxy, each echoing a message. A proxied connection costs
 * the proxy two descriptors, so with the machine's 20,000 open files per process the clients and the echo
 * server run in another JVM ({@link LoadPeer}).
 */
class ProxyScaleIT {
    private static final int CONNECTIONS = Integer.getInteger("lbkit.scale.connections", 9000);

    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void nineThousandConcurrentConnectionsEachEchoThroughTheProxy() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process peer = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                LoadPeer.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                    StandardCharsets.US_ASCII));
            PrintStream in = new PrintStream(peer.getOutputStream(), true, StandardCharsets.US_ASCII);
            String portLine = out.readLine();
            assertThat(portLine).startsWith("PORT ");
            int echoPort = Integer.parseInt(portLine.substring(5));

            ProxyDataplane d = leaks.track(ProxyDataplane.builder().build());
            int vipPort = Loopback.freePort();
            Loopback.apply(d, Configuration.empty(), config(vip("scale", vipPort)
                    .realServer(RealServer.builder("echo").address(Loopback.HOST).port(echoPort).build()).build()));

            in.println("CONNECT " + vipPort + " " + CONNECTIONS);
            String held = out.readLine();
            assertThat(held).isEqualTo("HELD " + CONNECTIONS + " FAILED 0");
            assertThat(d.openConnections()).isEqualTo(CONNECTIONS);
            assertThat(d.stats().get("scale").realServer("echo").activeConnections()).isEqualTo(CONNECTIONS);
            assertThat(d.bufferStats().heldByConnections()).as("idle connections hold no buffer").isZero();

            in.println("CLOSE");
            assertThat(out.readLine()).isEqualTo("DONE");
            ProxyLeakCheck.awaitQuiet(d);
            assertThat(d.stats().get("scale").total().connections()).isEqualTo(CONNECTIONS);
        } finally {
            peer.destroy();
            if (!peer.waitFor(10, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }
}
