package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static dev.lbkit.health.LoopbackServer.answers;
import static dev.lbkit.health.LoopbackServer.garbage;
import static dev.lbkit.health.LoopbackServer.greets;
import static dev.lbkit.health.LoopbackServer.hangs;
import static dev.lbkit.health.LoopbackServer.http;
import static dev.lbkit.health.LoopbackServer.resets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthCheck.SendExpect.Expect;
import dev.lbkit.api.HealthCheck.SendExpect.Send;
import dev.lbkit.api.HealthCheck.StatusRange;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each TCP check kind against a loopback server that passes, fails, hangs, resets and answers garbage. */
class NetworkChecksTest {
    private final Harness h = new Harness();
    private LoopbackServer server;

    @AfterEach
    void close() {
        h.close();
        if (server != null) {
            server.close();
        }
    }

    private HealthReport run(HealthCheck check, LoopbackServer.Behaviour behaviour) {
        server = LoopbackServer.on("127.0.0.1", behaviour);
        h.check(check, "127.0.0.1", server.port());
        return h.first();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // --- connect

    @Test
    void connectPassesWhenTheServerAccepts() {
        HealthReport r = run(HealthCheck.connect().withSettings(quick()), hangs());
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("connected");
        assertThat(r.latency()).isPositive();
    }

    @Test
    void connectFailsWhenNothingListens() throws Exception {
        h.check(HealthCheck.connect().withSettings(quick()), "127.0.0.1", freePort());
        HealthReport r = h.first();
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("connect: connection refused");
    }

    @Test
    void connectGoesToTheCheckPortAndAddressOverride() throws Exception {
        server = LoopbackServer.on("127.0.0.7", hangs());
        h.check(HealthCheck.connect().withSettings(quick().withAddress("127.0.0.7").withPort(server.port())),
                "127.0.0.1", 1);
        assertThat(h.first().state()).isEqualTo(HealthState.UP);
        for (int i = 0; i < 100 && server.connections() == 0; i++) {
            Thread.sleep(10); // the server's accept thread counts after the checker already connected
        }
        assertThat(server.connections()).isPositive();
    }

    @Test
    void connectLeavesFromTheSourceAddress() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> from = new java.util.concurrent.atomic.AtomicReference<>();
        server = LoopbackServer.on("127.0.0.1", s -> from.set(s.getInetAddress().getHostAddress()));
        h.check(HealthCheck.connect().withSettings(quick().withSourceAddress("127.0.0.9")), "127.0.0.1",
                server.port());
        assertThat(h.first().state()).isEqualTo(HealthState.UP);
        for (int i = 0; i < 100 && from.get() == null; i++) {
            Thread.sleep(10);
        }
        assertThat(from.get()).isEqualTo("127.0.0.9");
    }

    // --- HTTP

    @Test
    void httpPassesOnAnExpectedStatus() {
        HealthReport r = run(HealthCheck.http("/health").withSettings(quick()), http(200, "", "ok"));
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("HTTP 200");
    }

    @Test
    void httpFailsOnAnUnexpectedStatusNamingIt() {
        HealthReport r = run(HealthCheck.http("/health").withSettings(quick()), http(503, "", "busy"));
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("HTTP 503 (expected [200-399])");
    }

    @Test
    void httpSendsMethodPathAndHost() {
        java.util.concurrent.atomic.AtomicReference<String> head = new java.util.concurrent.atomic.AtomicReference<>();
        HealthReport r = run(HealthCheck.http("/status?full=1").withMethod("HEAD").withHost("app.example")
                .withSettings(quick()), s -> {
                    head.set(LoopbackServer.readLine(s.getInputStream()) + "|"
                            + LoopbackServer.readLine(s.getInputStream()));
                    LoopbackServer.write(s, "HTTP/1.1 204 No Content\r\n\r\n");
                });
        assertThat(r.reason()).isEqualTo("HTTP 204");
        assertThat(head.get()).isEqualTo("HEAD /status?full=1 HTTP/1.0\r|Host: app.example\r");
    }

    @Test
    void httpChecksTheBodyAgainstItsRegex() {
        HealthReport pass = run(HealthCheck.http("/").withBodyRegex("stat(us)?: *ok").withSettings(quick()),
                http(200, "", "status: ok"));
        assertThat(pass.reason()).isEqualTo("HTTP 200, body matched");
        server.close();
        h.reports.clear();
        HealthReport fail = run(HealthCheck.http("/").withBodyRegex("ok").withSettings(quick().withPort(0)),
                http(200, "", "degraded"));
        assertThat(fail.state()).isEqualTo(HealthState.DOWN);
        assertThat(fail.reason()).isEqualTo("HTTP 200 but the body did not match 'ok'");
    }

    @Test
    void httpChecksAResponseHeader() {
        HealthReport pass = run(HealthCheck.http("/").withHeader("x-role", "^primary$").withSettings(quick()),
                http(200, "X-Role: primary\r\n", ""));
        assertThat(pass.state()).isEqualTo(HealthState.UP);
        server.close();
        h.reports.clear();
        HealthReport fail = run(HealthCheck.http("/").withHeader("X-Role", "^primary$").withSettings(quick()),
                http(200, "X-Role: replica\r\n", ""));
        assertThat(fail.reason()).isEqualTo("HTTP 200 but header X-Role did not match '^primary$'");
    }

    @Test
    void httpAcceptsStatusRanges() {
        HealthReport r = run(HealthCheck.http("/").withStatus(new StatusRange(401, 401), new StatusRange(200, 204))
                .withSettings(quick()), http(401, "", ""));
        assertThat(r.state()).isEqualTo(HealthState.UP);
    }

    @Test
    void httpTimesOutOnAServerThatNeverAnswers() {
        HealthReport r = run(HealthCheck.http("/").withSettings(quick()), hangs());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("timeout after 150 ms waiting for the HTTP status line");
    }

    @Test
    void httpFailsOnAReset() {
        HealthReport r = run(HealthCheck.http("/").withSettings(quick()), resets());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        // the reset can beat the connect's completion to the checker: both say what happened
        assertThat(r.reason()).isIn("waiting for the HTTP status line: connection reset",
                "connection closed without an HTTP response", "connect: connection reset");
    }

    @Test
    void httpFailsOnGarbage() {
        HealthReport r = run(HealthCheck.http("/").withSettings(quick()), garbage());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).startsWith("invalid HTTP");
    }

    @Test
    void httpFailsWhenTheServerClosesWithoutAnswering() {
        HealthReport r = run(HealthCheck.http("/").withSettings(quick()), s -> LoopbackServer.readHead(
                s.getInputStream()));
        assertThat(r.reason()).isEqualTo("connection closed without an HTTP response");
    }

    // --- send/expect

    private static HealthCheck.SendExpect smtp() {
        return HealthCheck.sendExpect(List.of(new Expect("^220 "), new Send("EHLO lbkit\r\n"),
                new Expect("(?m)^250[ -]"), new Send("QUIT\r\n"), new Expect("^221"))).withSettings(quick());
    }

    @Test
    void sendExpectPassesAWholeSmtpConversation() {
        HealthReport r = run(smtp(), greets("220 mx ESMTP\r\n", "250-mx\r\n250 OK\r\n", "221 bye\r\n"));
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("send/expect: 5 steps done");
    }

    @Test
    void sendExpectFailsNamingTheStepWhenTheServerClosesWithoutAMatch() {
        HealthReport r = run(smtp(), greets("220 mx ESMTP\r\n", "554 go away\r\n"));
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("step 3: expecting '(?m)^250[ -]': connection closed by the server");
    }

    @Test
    void sendExpectTimesOutOnAServerThatNeverGreets() {
        HealthReport r = run(smtp(), hangs());
        assertThat(r.reason()).isEqualTo("timeout after 150 ms step 1: expecting '^220 '");
    }

    @Test
    void sendExpectFailsOnResetAndGarbage() {
        assertThat(run(smtp(), resets()).state()).isEqualTo(HealthState.DOWN);
        server.close();
        h.reports.clear();
        HealthReport g = run(HealthCheck.sendExpect(List.of(new Expect("^\\+PONG"))).withSettings(quick()),
                garbage());
        assertThat(g.state()).isEqualTo(HealthState.DOWN);
    }

    // --- agent

    @Test
    void agentUpWithAWeightPasses() {
        HealthReport r = run(HealthCheck.agent().withSettings(quick()), greets("up 75%\n"));
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("agent: up, weight 75%");
        assertThat(r.weightPercent()).isEqualTo(75);
        assertThat(r.drain()).isFalse();
    }

    @Test
    void agentDrainPassesAndAsksForADrain() {
        HealthReport r = run(HealthCheck.agent().withSettings(quick()), greets("drain # rolling upgrade\n"));
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("agent: drain (rolling upgrade)");
        assertThat(r.drain()).isTrue();
    }

    @Test
    void agentMaintFails() {
        HealthReport r = run(HealthCheck.agent().withSettings(quick()), greets("maint\n"));
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("agent: maint");
    }

    @Test
    void agentGetsWhatItIsSentToSend() {
        HealthReport r = run(HealthCheck.agent().withSend("status\n").withSettings(quick()),
                s -> {
                    String line = LoopbackServer.readLine(s.getInputStream());
                    LoopbackServer.write(s, "status".equals(line) ? "ready\n" : "down\n");
                });
        assertThat(r.reason()).isEqualTo("agent: ready");
    }

    @Test
    void agentFailsOnHangResetAndGarbage() {
        assertThat(run(HealthCheck.agent().withSettings(quick()), hangs()).reason())
                .isEqualTo("timeout after 150 ms waiting for the agent's reply");
        server.close();
        h.reports.clear();
        assertThat(run(HealthCheck.agent().withSettings(quick()), resets()).state()).isEqualTo(HealthState.DOWN);
        server.close();
        h.reports.clear();
        assertThat(run(HealthCheck.agent().withSettings(quick()), garbage()).reason()).startsWith("agent: no state");
    }

    @Test
    void agentFailsWhenItClosesWithoutAReply() {
        assertThat(run(HealthCheck.agent().withSettings(quick()), s -> { }).reason())
                .isEqualTo("agent: closed without a reply");
    }

    @Test
    void answersOfAnyKindAreReadUpToTheirFirstLineOnly() {
        assertThat(run(HealthCheck.agent().withSettings(quick()), answers("x")).state()).isEqualTo(HealthState.DOWN);
    }
}
