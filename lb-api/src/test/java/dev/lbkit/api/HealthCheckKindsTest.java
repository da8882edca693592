package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.HealthCheck.Dns.Type;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The check kinds and settings added for lb-health: ping, DNS, agent, HTTP extras, check and source address. */
class HealthCheckKindsTest {
    private static final CheckSettings DEFAULTS = CheckSettings.defaults();

    @Test
    void settingsDefaultToTheRealServersAddressAndTheKernelsSource() {
        assertThat(DEFAULTS.address()).isEmpty();
        assertThat(DEFAULTS.sourceAddress()).isEmpty();
        assertThat(DEFAULTS.withAddress("10.0.0.1").address().orElseThrow().getHostAddress()).isEqualTo("10.0.0.1");
    }

    @Test
    void aCheckAddressMustBeAnIpLiteral() {
        assertThatThrownBy(() -> DEFAULTS.withAddress("web1"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check address: 'web1' is not an IP address");
    }

    @Test
    void aWildcardCheckAddressIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withAddress("0.0.0.0"))
                .hasMessage("health check address must be a unicast address but was 0.0.0.0");
        assertThatThrownBy(() -> DEFAULTS.withSourceAddress("224.0.0.1"))
                .hasMessage("health check sourceAddress must be a unicast address but was 224.0.0.1");
    }

    @Test
    void sourceAndCheckAddressMustShareAFamily() {
        assertThatThrownBy(() -> DEFAULTS.withAddress("10.0.0.1").withSourceAddress("2001:db8::1"))
                .hasMessage("health check sourceAddress [2001:db8::1] and address 10.0.0.1 must be of one family "
                        + "(IPv4 or IPv6)");
    }

    @Test
    void withersKeepTheAddresses() {
        CheckSettings s = DEFAULTS.withAddress("10.0.0.1").withSourceAddress("10.0.0.9").withPort(81)
                .withInterval(java.time.Duration.ofSeconds(2));
        assertThat(s.address()).isPresent();
        assertThat(s.sourceAddress()).isPresent();
    }

    @Test
    void httpsDoesNotVerifyByDefault() {
        HealthCheck.Http h = HealthCheck.https("/");
        assertThat(h.tls()).isTrue();
        assertThat(h.verifyTls()).isFalse();
        assertThat(h.sni()).isEmpty();
    }

    @Test
    void sniAndVerificationNeedTls() {
        assertThatThrownBy(() -> HealthCheck.http("/").withSni("app.example"))
                .hasMessage("http check sni 'app.example' needs tls");
        assertThatThrownBy(() -> HealthCheck.http("/").withVerifyTls(true))
                .hasMessage("http check verifyTls needs tls");
    }

    @Test
    void sniMustBeAHostNameNotAnAddress() {
        assertThatThrownBy(() -> HealthCheck.https("/").withSni("10.0.0.1"))
                .hasMessage("http check sni must be a DNS host name (not an IP address) but was '10.0.0.1'");
    }

    @Test
    void aHeaderMatchNeedsATokenAndARegex() {
        assertThatThrownBy(() -> HealthCheck.http("/").withHeader("X Role", "a"))
                .hasMessage("http check header name must be a token such as Content-Type but was 'X Role'");
        assertThatThrownBy(() -> HealthCheck.http("/").withHeader("X-Role", "("))
                .hasMessageStartingWith("http check header 'X-Role' valueRegex is not a valid regular expression: '('");
    }

    @Test
    void theOldHttpConstructorStillWorks() {
        HealthCheck.Http h = new HealthCheck.Http(DEFAULTS, "GET", "/", Optional.empty(),
                java.util.List.of(new HealthCheck.StatusRange(200, 200)), Optional.empty(), false);
        assertThat(h.header()).isEmpty();
        assertThat(h.withTls(true).withVerifyTls(true).withTls(false).verifyTls()).isFalse();
    }

    @Test
    void dnsNamesAreValidated() {
        assertThat(HealthCheck.dns("www.example.com.", Type.A).name()).isEqualTo("www.example.com.");
        assertThatThrownBy(() -> HealthCheck.dns("bad..name", Type.A))
                .hasMessage("dns check name must be a domain name of labels of 1..63 letters, digits, '-' or '_', "
                        + "at most 253 characters, but was 'bad..name'");
    }

    @Test
    void dnsExpectedAnswersMatchTheType() {
        assertThatThrownBy(() -> HealthCheck.dns("a.example", Type.A).withExpectedAnswer("2001:db8::1"))
                .hasMessage("dns check expectedAnswer for type A must be an IPv4 address but was '2001:db8::1'");
        assertThatThrownBy(() -> HealthCheck.dns("a.example", Type.MX).withExpectedAnswer("mx.example"))
                .hasMessage("dns check expectedAnswer is not supported for type MX (only A, AAAA, CNAME, NS, PTR "
                        + "and TXT) but was 'mx.example'");
        assertThat(HealthCheck.dns("a.example", Type.CNAME).withExpectedAnswer("b.example").expectedAnswer())
                .contains("b.example");
    }

    @Test
    void agentSendTextMustBeLatin1() {
        assertThatThrownBy(() -> HealthCheck.agent().withSend("\u263a"))
                .hasMessage("agent check send must be 1 or more ISO-8859-1 characters but was '\u263a'");
        assertThat(HealthCheck.agent().withSend("status\n").send()).contains("status\n");
    }

    @Test
    void pingAndAgentCarryTheirSettings() {
        CheckSettings s = DEFAULTS.withPort(5555);
        assertThat(HealthCheck.agent().withSettings(s).settings()).isEqualTo(s);
        assertThat(HealthCheck.ping().withSettings(s).settings()).isEqualTo(s);
    }
}
