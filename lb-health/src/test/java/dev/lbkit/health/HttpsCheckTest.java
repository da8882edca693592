package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS checks through the SSLEngine over the NIO channel, against a TLS server on loopback. */
class HttpsCheckTest {
    @TempDir
    static Path dir;
    static KeyStore keys;

    private SSLServerSocket listener;
    private final AtomicReference<String> sniSeen = new AtomicReference<>();
    private Harness h;

    @BeforeAll
    static void makeACertificate() throws Exception {
        Path ks = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-alias", "server", "-dname", "CN=app.example",
                "-ext", "SAN=dns:app.example", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", "changeit").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            keys.load(in, "changeit".toCharArray());
        }
    }

    private int serve(String response) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        listener = (SSLServerSocket) c.getServerSocketFactory().createServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(2000);
                    s.startHandshake();
                    ((ExtendedSSLSession) s.getSession()).getRequestedServerNames().stream().findFirst()
                            .ifPresent(n -> sniSeen.set(((SNIHostName) n).getAsciiName()));
                    LoopbackServer.readHead(s.getInputStream());
                    LoopbackServer.write(s, response);
                } catch (java.io.IOException e) {
                    // a failed handshake is what some tests want
                }
            }
        }, "tls-server");
        t.setDaemon(true);
        t.start();
        return listener.getLocalPort();
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    private HealthReport run(HealthCheck.Http check, int port, HealthChecker.Builder b) {
        h = new Harness(b);
        h.check(check.withSettings(quick().withInterval(java.time.Duration.ofSeconds(2))
                .withTimeout(java.time.Duration.ofSeconds(2))), "127.0.0.1", port);
        return h.first();
    }

    @Test
    void httpsPassesWithoutVerificationAndSendsTheSni() throws Exception {
        int port = serve("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        HealthReport r = run(HealthCheck.https("/").withSni("app.example").withBodyRegex("ok"), port,
                HealthChecker.builder());
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("HTTP 200, body matched");
        assertThat(sniSeen.get()).isEqualTo("app.example");
    }

    @Test
    void httpsWithVerificationFailsOnAnUntrustedCertificate() throws Exception {
        int port = serve("HTTP/1.0 200 OK\r\n\r\n");
        HealthReport r = run(HealthCheck.https("/").withSni("app.example").withVerifyTls(true), port,
                HealthChecker.builder());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).startsWith("TLS handshake: TLS: ");
    }

    @Test
    void httpsWithVerificationPassesWhenTheCertificateIsTrustedAndNamesTheServer() throws Exception {
        int port = serve("HTTP/1.0 204 OK\r\n\r\n");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
        HealthReport r = run(HealthCheck.https("/").withHost("app.example").withVerifyTls(true), port,
                HealthChecker.builder().sslContext(trusting));
        assertThat(r.reason()).isEqualTo("HTTP 204");
        assertThat(sniSeen.get()).isEqualTo("app.example");
    }

    @Test
    void httpsAgainstAPlainServerFailsTheHandshake() throws Exception {
        try (LoopbackServer plain = LoopbackServer.on("127.0.0.1",
                LoopbackServer.greets("HTTP/1.0 200 OK\r\n\r\n"))) {
            HealthReport r = run(HealthCheck.https("/"), plain.port(), HealthChecker.builder());
            assertThat(r.state()).isEqualTo(HealthState.DOWN);
            assertThat(r.reason()).startsWith("TLS handshake");
        }
    }
}
