package dev.lbkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetnsLabTest {

    @Test
    void nodesOnOneBridgeReachEachOtherAndCloseRemovesEveryNamespaceAndProcess() {
        assumeTrue(NetnsLab.available(), "runs as root with iproute2");
        assumeTrue(new java.io.File("/usr/bin/socat").canExecute(), "socat is installed");
        String a;
        Process sleeper;
        try (NetnsLab lab = new NetnsLab("kit")) {
            lab.bridge("br").node("a", "br", "10.79.0.1/24", "02:79:00:00:00:01").node("b", "br", "10.79.0.2/24");
            a = lab.ns("a");
            assertThat(NetnsLab.sh("ip", "netns", "list")).contains(a).contains(lab.ns("b")).contains(lab.ns("br"));
            assertThat(lab.exec("a", "ip", "link", "show", "eth0")).contains("02:79:00:00:00:01");
            lab.start("a", List.of("socat", "TCP-LISTEN:7000,bind=10.79.0.1,reuseaddr,fork", "SYSTEM:echo hello"),
                    null);
            NetnsLab.awaitTrue(Duration.ofSeconds(5), () -> lab.exec("a", "ss", "-ltn").contains("10.79.0.1:7000"),
                    "the server listens in a");
            assertThat(lab.exec("b", "socat", "-T", "2", "-", "TCP:10.79.0.1:7000,connect-timeout=2").trim())
                    .isEqualTo("hello");
            assertThat(lab.exec("a", "ip", "-4", "-o", "addr")).as("only its own addresses").doesNotContain("10.79.0.2");
            sleeper = lab.start("b", List.of("sleep", "600"), null);
            NetnsLab.awaitTrue(Duration.ofSeconds(5), () -> NetnsLab.sh("ip", "netns", "pids", lab.ns("b")).trim()
                    .length() > 0, "the process runs in b");
            assertThatThrownBy(() -> lab.exec("a", "false")).hasMessageContaining("false failed");
        }
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(NetnsLab.sh("ip", "netns", "list")).doesNotContain(a);
    }

    @Test
    void areaNamesAreShortSoInterfaceAndNamespaceNamesFit() {
        assertThatThrownBy(() -> new NetnsLab("Too-Long")).hasMessageContaining("area must be");
        assertThat(new NetnsLab("ha").ns("1")).matches("lbk-ha-[0-9a-f]{5}-1");
    }
}
