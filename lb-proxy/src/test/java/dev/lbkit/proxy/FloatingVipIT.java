package dev.lbkit.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.lbkit.testkit.NetnsLab.sh;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.testkit.NetnsLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A VIP on a floating address (an HA backup's view): the proxy runs in a network namespace of its own
 * ({@link FloatingVipNode} in a child JVM), the floating IPs are added and removed there with {@code ip} as an HA
 * module would, and a real client ({@code socat}) in the same namespace connects. Skipped without root, ip or socat.
 */
class FloatingVipIT {
    private NetnsLab lab;
    private String ns;
    private Process node;
    private BufferedReader out;
    private Writer in;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(NetnsLab.available(), "runs as root with iproute2");
        assumeTrue(new java.io.File("/usr/bin/socat").canExecute(), "socat is installed");
        lab = new NetnsLab("fv").namespace("lb");
        ns = lab.ns("lb");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        node = lab.track(new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp",
                System.getProperty("java.class.path"), FloatingVipNode.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        assertThat(out.readLine()).isEqualTo("ready");
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.getOutputStream().close();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aFloatingVipWaitsForItsAddressAndServesOnceItArrivesEvenAfterItLeftAndCameBack() throws Exception {
        assertThat(ask("apply web 10.251.0.1:8080 floating")).isEqualTo("applied web listening=false");
        assertThat(client("10.251.0.1")).as("nothing answers before the address is here").isNull();

        sh("ip", "-n", ns, "addr", "add", "10.251.0.1/32", "dev", "lo");
        assertThat(ask("master")).isEqualTo("ok"); // the HA module's MASTER: the listener binds on its loop at once
        assertThat(awaitListening("web", 2)).isEqualTo("listening=true");
        assertThat(client("10.251.0.1")).isEqualTo("b1");

        // back to backup: the address leaves, the socket stays bound; master again: it serves without a new bind
        sh("ip", "-n", ns, "addr", "del", "10.251.0.1/32", "dev", "lo");
        assertThat(client("10.251.0.1")).isNull();
        sh("ip", "-n", ns, "addr", "add", "10.251.0.1/32", "dev", "lo");
        assertThat(client("10.251.0.1")).isEqualTo("b1");
    }

    @Test
    void aFloatingVipAlsoBindsWithoutBeingToldOfMasterWhenItsAddressArrives() throws Exception {
        assertThat(ask("apply api 10.251.0.2:9090 floating")).isEqualTo("applied api listening=false");
        sh("ip", "-n", ns, "addr", "add", "10.251.0.2/32", "dev", "lo"); // e.g. keepalived added it
        assertThat(awaitListening("api", 10)).isEqualTo("listening=true");
        assertThat(client("10.251.0.2")).isEqualTo("b1");
    }

    @Test
    void aFixedVipThatIsNotLocalStillFailsTheApplyNamingTheAddress() throws Exception {
        assertThat(ask("apply typo 10.251.0.3:8080 fixed")).startsWith("rejected")
                .contains("typo").contains("10.251.0.3:8080");
    }

    /** Asks until the VIP listens or {@code seconds} pass; returns the last answer. */
    private String awaitListening(String label, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String state;
        while (!(state = ask("listening " + label)).equals("listening=true") && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return state;
    }

    private String ask(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null) {
            throw new IllegalStateException("the node exited; command: " + command);
        }
        return answer;
    }

    /** A real client in the namespace asks the VIP (port from the test) for the backend's name; null on failure. */
    private String client(String address) {
        String port = address.equals("10.251.0.2") ? "9090" : "8080";
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "socat", "-T", "3", "-",
                    "TCP:" + address + ":" + port + ",connect-timeout=2").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().write("name\n".getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return p.exitValue() == 0 && !answer.isEmpty() ? answer : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
