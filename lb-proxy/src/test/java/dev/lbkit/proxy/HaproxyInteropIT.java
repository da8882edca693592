package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.readLine;
import static dev.lbkit.proxy.Loopback.realServer;
import static dev.lbkit.proxy.Loopback.writeLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.proxy.ProxyOptions.ProxyProtocol;
import dev.lbkit.proxy.proxyprotocol.ProxyHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROXY protocol against a real HAProxy (the Debian package; {@code .ci/install-test-deps.sh} installs it), both
 * ways, on loopback:
 * <ul>
 *   <li>HAProxy {@code mode tcp} with {@code send-proxy} / {@code send-proxy-v2} (with and without TLVs, IPv4 and
 *       IPv6 clients, and the headers of its health checks, v2 {@code LOCAL} among them) in front of an lbkit VIP
 *       that accepts PROXY protocol from 127.0.0.0/8: the lbkit real server must see the original client in the
 *       header lbkit sends it;</li>
 *   <li>lbkit sending v1 and v2 to a HAProxy {@code mode http} frontend with {@code accept-proxy}, which writes
 *       the client and VIP it learnt into request headers that a recording backend keeps;</li>
 *   <li>the chain HAProxy → lbkit → HAProxy, where the original client must come out at the far end.</li>
 * </ul>
 * One HAProxy ({@code haproxy -f cfg -db}, config generated into a temp dir, ports free on loopback) serves the
 * whole class; it is stopped in {@link #stopHaproxy()}. Skipped only when no {@code haproxy} binary exists (and
 * the IPv6 cases alone on a machine without an IPv6 loopback).
 * IPv4 clients bind 127.0.0.7 so that the original address differs from HAProxy's own (127.0.0.1).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyInteropIT {
    private static final String HOST6 = "::1";
    private static final String CLIENT4 = "127.0.0.7";
    /** False on a machine without an IPv6 loopback: its IPv6 cases are then skipped (and said so). */
    private static final boolean IPV6 = canBind(HOST6);

    /** HAProxy frontends ({@code mode tcp}) that send a PROXY header to an lbkit VIP. */
    enum Sender {
        V1_IPV4("send-proxy", Loopback.HOST),
        V2_IPV4("send-proxy-v2", Loopback.HOST),
        V2_TLVS_IPV4("send-proxy-v2 proxy-v2-options ssl,crc32c,unique-id", Loopback.HOST),
        V1_IPV6("send-proxy", HOST6),
        V2_IPV6("send-proxy-v2", HOST6);

        final String serverOptions;
        final String bindHost;

        Sender(String serverOptions, String bindHost) {
            this.serverOptions = serverOptions;
            this.bindHost = bindHost;
        }
    }

    private static Path dir;
    private static Process haproxy;
    private static Path haproxyLog;
    private static HeaderRecorder recorder;
    private static final Map<Sender, Integer> senderPorts = new EnumMap<>(Sender.class);
    /** The lbkit VIP every {@link Sender} sends to. */
    private static int acceptingVip;
    /** lbkit VIPs that HAProxy's health checks (with check-send-proxy) reach, v1 and v2. */
    private static int checkedVipV1;
    private static int checkedVipV2;
    /** HAProxy {@code mode http} frontend with {@code accept-proxy}, in front of {@link #recorder}. */
    private static int acceptProxyPort;
    /** HAProxy frontend of the chain test, sending v2 to {@link #chainVip}. */
    private static int chainFront;
    private static int chainVip;

    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    @BeforeAll
    static void startHaproxy() throws Exception {
        Path binary = haproxyBinary();
        Assumptions.assumeTrue(binary != null, "haproxy is not installed (.ci/install-test-deps.sh installs it)");
        recorder = new HeaderRecorder();
        for (Sender s : Sender.values()) {
            if (usable(s.bindHost)) {
                senderPorts.put(s, freePort(s.bindHost));
            }
        }
        acceptingVip = Loopback.freePort();
        checkedVipV1 = Loopback.freePort();
        checkedVipV2 = Loopback.freePort();
        acceptProxyPort = Loopback.freePort();
        chainFront = Loopback.freePort();
        chainVip = Loopback.freePort();

        dir = Files.createTempDirectory("lbkit-haproxy-interop");
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, haproxyConfig());
        haproxyLog = dir.resolve("haproxy.log");
        Process check = new ProcessBuilder(binary.toString(), "-c", "-f", cfg.toString()).redirectErrorStream(true)
                .start();
        String checkOut = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0)
                .as("haproxy -c rejected the generated config:\n%s\n%s", checkOut, Files.readString(cfg)).isTrue();
        haproxy = new ProcessBuilder(binary.toString(), "-f", cfg.toString(), "-db").redirectErrorStream(true)
                .redirectOutput(haproxyLog.toFile()).start();
        List<InetSocketAddress> binds = new ArrayList<>();
        for (Sender s : senderPorts.keySet()) {
            binds.add(new InetSocketAddress(s.bindHost, senderPorts.get(s)));
        }
        binds.add(new InetSocketAddress(Loopback.HOST, acceptProxyPort));
        binds.add(new InetSocketAddress(Loopback.HOST, chainFront));
        for (InetSocketAddress a : binds) {
            Loopback.await("haproxy listening on " + a + "; its output: " + haproxyOutput(), () -> listening(a));
        }
    }

    @AfterAll
    static void stopHaproxy() throws Exception {
        if (haproxy != null) {
            haproxy.destroy(); // SIGTERM: HAProxy's hard stop
            if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            haproxy = null;
        }
        if (recorder != null) {
            recorder.close();
            recorder = null;
        }
        if (dir != null) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    // ---- HAProxy sends, lbkit accepts ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Sender.class)
    void lbkitTakesTheOriginalClientFromHaproxysHeaderAndPassesItOn(Sender sender) throws Exception {
        Assumptions.assumeTrue(usable(sender.bindHost), "no IPv6 loopback on this machine");
        FakeBackend app = leaks.closeAfter(new FakeBackend("app", true));
        ProxyDataplane d = acceptingProxy("in", acceptingVip, ProxyProtocol.V2, app);
        InetSocketAddress front = new InetSocketAddress(sender.bindHost, senderPorts.get(sender));

        InetSocketAddress client;
        try (Socket s = clientSocket(sender.bindHost.equals(HOST6) ? HOST6 : CLIENT4, front)) {
            client = (InetSocketAddress) s.getLocalSocketAddress();
            writeLine(s.getOutputStream(), "name");
            assertThat(readLine(s.getInputStream())).as("reply through HAProxy and lbkit; %s", haproxyOutput())
                    .isEqualTo("app");
        }
        assertThat(d.proxyProtocolRejected("in")).isZero();
        assertThat(app.headers).hasSize(1);
        ProxyHeader h = app.headers.get(0);
        assertThat(h.version()).isEqualTo(2);
        assertThat(h.source()).as("the original client, as HAProxy saw it").isEqualTo(client);
        assertThat(h.destination()).as("HAProxy's frontend, as HAProxy saw it").isEqualTo(front);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @ParameterizedTest
    @EnumSource(value = ProxyProtocol.class, names = {"V1", "V2"})
    void haproxysHealthChecksWithCheckSendProxyAreAccepted(ProxyProtocol checks) throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app", true));
        int vip = checks == ProxyProtocol.V1 ? checkedVipV1 : checkedVipV2;
        ProxyDataplane d = acceptingProxy("checked", vip, ProxyProtocol.V1, app);

        Loopback.await("three health checks of HAProxy through lbkit; " + haproxyOutput(),
                () -> app.headers.size() >= 3);
        assertThat(d.proxyProtocolRejected("checked")).as("headers lbkit refused").isZero();
        for (ProxyHeader h : List.copyOf(app.headers)) {
            // HAProxy 2.6 checks send v2 LOCAL (no addresses: lbkit keeps the connection's own endpoints) or a v1
            // TCP4 line with the check connection's own endpoints: either way HAProxy's address and this VIP
            assertThat(h.source().getAddress()).isEqualTo(InetAddress.getByName(Loopback.HOST));
            assertThat(h.destination()).isEqualTo(new InetSocketAddress(Loopback.HOST, vip));
        }
    }

    // ---- lbkit sends, HAProxy accepts ------------------------------------------------------------------------

    static Stream<Arguments> lbkitSenders() {
        return Stream.of(Arguments.of(ProxyProtocol.V1, Loopback.HOST), Arguments.of(ProxyProtocol.V2, Loopback.HOST),
                Arguments.of(ProxyProtocol.V1, HOST6), Arguments.of(ProxyProtocol.V2, HOST6));
    }

    @ParameterizedTest(name = "{0} from a client on {1}")
    @MethodSource("lbkitSenders")
    void haproxyAcceptProxyLearnsTheOriginalClientFromLbkit(ProxyProtocol version, String host) throws Exception {
        Assumptions.assumeTrue(usable(host), "no IPv6 loopback on this machine");
        int port = freePort(host);
        RealServer haproxyFront = RealServer.builder("haproxy").address(Loopback.HOST).port(acceptProxyPort).build();
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1)
                .options("out", ProxyOptions.builder().sendProxyProtocol(version).build()).build());
        Loopback.apply(d, Configuration.empty(), config(VirtualServer.builder("out").address(host).port(port)
                .forwardingMethod(ForwardingMethod.PROXY).realServer(haproxyFront).build()));
        InetSocketAddress vip = new InetSocketAddress(host, port);

        String path = "/" + version.name().toLowerCase(Locale.ROOT) + "-" + System.nanoTime();
        InetSocketAddress client;
        try (Socket s = clientSocket(host.equals(HOST6) ? HOST6 : CLIENT4, vip)) {
            client = (InetSocketAddress) s.getLocalSocketAddress();
            assertThat(httpGet(s, path)).as("HAProxy's answer; %s", haproxyOutput()).startsWith("HTTP/1.1 200");
        }
        Map<String, String> seen = recorder.requests.get(path);
        assertThat(seen).as("request at the backend behind HAProxy").isNotNull();
        assertThat(endpoint(seen.get("x-client"))).as("HAProxy's %%[src] %%[src_port]").isEqualTo(client);
        assertThat(endpoint(seen.get("x-vip"))).as("HAProxy's %%[dst] %%[dst_port]").isEqualTo(vip);
        ProxyLeakCheck.awaitQuiet(d);
    }

    // ---- both ------------------------------------------------------------------------------------------------

    @Test
    void theOriginalClientSurvivesHaproxyThenLbkitThenHaproxy() throws Exception {
        RealServer haproxyFront = RealServer.builder("haproxy").address(Loopback.HOST).port(acceptProxyPort).build();
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).options("chain", ProxyOptions.builder()
                .acceptProxyProtocolFrom(List.of("127.0.0.0/8")).sendProxyProtocol(ProxyProtocol.V1).build()).build());
        Loopback.apply(d, Configuration.empty(), config(Loopback.vip("chain", chainVip).realServer(haproxyFront)
                .build()));

        String path = "/chain-" + System.nanoTime();
        InetSocketAddress client;
        try (Socket s = clientSocket(CLIENT4, new InetSocketAddress(Loopback.HOST, chainFront))) {
            client = (InetSocketAddress) s.getLocalSocketAddress();
            assertThat(httpGet(s, path)).as("answer at the end of the chain; %s", haproxyOutput())
                    .startsWith("HTTP/1.1 200");
        }
        Map<String, String> seen = recorder.requests.get(path);
        assertThat(seen).isNotNull();
        assertThat(endpoint(seen.get("x-client"))).isEqualTo(client);
        assertThat(endpoint(seen.get("x-vip"))).isEqualTo(new InetSocketAddress(Loopback.HOST, chainFront));
        assertThat(d.proxyProtocolRejected("chain")).isZero();
        ProxyLeakCheck.awaitQuiet(d);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** An lbkit VIP on 127.0.0.1:{@code port} trusting 127.0.0.0/8's headers and sending {@code send} to app. */
    private ProxyDataplane acceptingProxy(String label, int port, ProxyProtocol send, FakeBackend app) {
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).options(label, ProxyOptions.builder()
                .acceptProxyProtocolFrom(List.of("127.0.0.0/8")).sendProxyProtocol(send).build()).build());
        Loopback.apply(d, Configuration.empty(), config(Loopback.vip(label, port).realServer(realServer("app", app))
                .build()));
        return d;
    }

    private static String haproxyConfig() {
        StringBuilder c = new StringBuilder();
        c.append("global\n  maxconn 256\n  log stdout format raw local0 info\n");
        c.append("defaults\n  log global\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n");
        for (Sender s : senderPorts.keySet()) {
            String name = s.name().toLowerCase(Locale.ROOT);
            c.append("frontend to_lbkit_").append(name).append("\n  mode tcp\n")
                    .append("  bind ").append(bind(s.bindHost, senderPorts.get(s))).append('\n')
                    .append("  unique-id-format %[uuid()]\n")
                    .append("  default_backend lbkit_").append(name).append('\n');
            c.append("backend lbkit_").append(name).append("\n  mode tcp\n")
                    .append("  server lbkit ").append(Loopback.HOST).append(':').append(acceptingVip).append(' ')
                    .append(s.serverOptions).append('\n');
        }
        // health checks only: HAProxy checks these servers whether or not traffic is routed to them
        c.append("backend checked_v1\n  mode tcp\n  server lbkit ").append(Loopback.HOST).append(':')
                .append(checkedVipV1).append(" send-proxy check check-send-proxy inter 200ms\n");
        c.append("backend checked_v2\n  mode tcp\n  server lbkit ").append(Loopback.HOST).append(':')
                .append(checkedVipV2).append(" send-proxy-v2 check check-send-proxy inter 200ms\n");
        c.append("frontend from_lbkit\n  mode http\n  option httplog\n")
                .append("  bind ").append(Loopback.HOST).append(':').append(acceptProxyPort).append(" accept-proxy\n")
                .append("  http-request set-header X-Client \"%[src] %[src_port]\"\n")
                .append("  http-request set-header X-Vip \"%[dst] %[dst_port]\"\n")
                .append("  default_backend recorder\n");
        c.append("backend recorder\n  mode http\n  server rec ").append(Loopback.HOST).append(':')
                .append(recorder.port()).append('\n');
        c.append("frontend chain\n  mode tcp\n  bind ").append(Loopback.HOST).append(':').append(chainFront)
                .append("\n  default_backend chain_lbkit\n");
        c.append("backend chain_lbkit\n  mode tcp\n  server lbkit ").append(Loopback.HOST).append(':')
                .append(chainVip).append(" send-proxy-v2\n");
        return c.toString();
    }

    private static String bind(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static Path haproxyBinary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, "haproxy");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** HAProxy's output so far (for failure messages). */
    private static String haproxyOutput() {
        try {
            String out = haproxyLog == null ? "" : Files.readString(haproxyLog);
            return "haproxy " + (haproxy != null && haproxy.isAlive() ? "running" : "NOT running") + ", output:\n"
                    + (out.length() > 4000 ? out.substring(out.length() - 4000) : out);
        } catch (IOException e) {
            return "haproxy output unreadable: " + e;
        }
    }

    private static boolean usable(String host) {
        return !host.equals(HOST6) || IPV6;
    }

    private static boolean canBind(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean listening(InetSocketAddress a) {
        try (Socket s = new Socket()) {
            s.connect(a, 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A blocking client bound to {@code from} (any port), connected to {@code to}, with a 10 s read timeout. */
    private static Socket clientSocket(String from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(to, 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends a GET with Connection: close and returns the whole answer. */
    private static String httpGet(Socket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: interop\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    /** Parses "ADDRESS PORT" as HAProxy's set-header wrote it. */
    private static InetSocketAddress endpoint(String text) throws IOException {
        assertThat(text).as("header value").isNotNull();
        String[] parts = text.trim().split(" ");
        assertThat(parts).as("'%s'", text).hasSize(2);
        return new InetSocketAddress(InetAddress.getByName(parts[0]), Integer.parseInt(parts[1]));
    }

    /** An HTTP/1.1 server on 127.0.0.1 that records each request's headers by path and answers 200 "ok". */
    static final class HeaderRecorder implements AutoCloseable {
        final Map<String, Map<String, String>> requests = new ConcurrentHashMap<>();
        private final ServerSocket server;

        HeaderRecorder() throws IOException {
            server = new ServerSocket(0, 128, InetAddress.getByName(Loopback.HOST));
            Thread t = new Thread(this::acceptLoop, "haproxy-interop-recorder");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s), "haproxy-interop-recorder-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String requestLine;
                while ((requestLine = line(in)) != null && !requestLine.isEmpty()) {
                    Map<String, String> headers = new HashMap<>();
                    String h;
                    while ((h = line(in)) != null && !h.isEmpty()) {
                        int colon = h.indexOf(':');
                        if (colon > 0) {
                            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                    h.substring(colon + 1).trim());
                        }
                    }
                    requests.put(requestLine.split(" ")[1], headers);
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                // the peer went away; a test that needed this request fails on its own
            }
        }

        private static String line(InputStream in) throws IOException {
            String l = readLine(in);
            return l == null ? null : l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
