package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.HealthCheck.SendExpect.Expect;
import dev.lbkit.api.HealthCheck.SendExpect.Send;
import dev.lbkit.api.HealthCheck.StatusRange;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthCheckTest {
    private static final CheckSettings DEFAULTS = CheckSettings.defaults();

    // --- CheckSettings

    @Test
    void defaultsAreFiveSecondsThreeSecondTimeoutRiseTwoFallThreeQuiesce() {
        assertThat(DEFAULTS).isEqualTo(new CheckSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(3), 2, 3, true, FailureAction.QUIESCE, 0));
    }

    @Test
    void timeoutLongerThanTheIntervalIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withTimeout(Duration.ofSeconds(6)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check timeout must not exceed the interval but was PT6S > PT5S");
    }

    @Test
    void timeoutEqualToTheIntervalIsAccepted() {
        assertThat(DEFAULTS.withTimeout(Duration.ofSeconds(5)).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shorteningTheIntervalShortensTheTimeoutWithIt() {
        CheckSettings s = DEFAULTS.withInterval(Duration.ofSeconds(1));

        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.fastInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.downInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void riseOfZeroIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withRiseFall(0, 3))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check rise must be 1..1000 but was 0");
    }

    @Test
    void fallOfZeroIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withRiseFall(2, 0))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check fall must be 1..1000 but was 0");
    }

    @Test
    void riseAboveOneThousandIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withRiseFall(1001, 3))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check rise must be 1..1000 but was 1001");
    }

    @Test
    void negativeIntervalIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withInterval(Duration.ofSeconds(-1)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check interval must be positive but was PT-1S");
    }

    @Test
    void negativeOrZeroFastAndDownIntervalsAreRejected() {
        assertThatThrownBy(() -> DEFAULTS.withFastInterval(Duration.ofMillis(-1)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check fastInterval must be positive but was PT-0.001S");
        assertThatThrownBy(() -> DEFAULTS.withDownInterval(Duration.ZERO))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check downInterval must be positive but was PT0S");
    }

    @Test
    void negativeTimeoutIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withTimeout(Duration.ofSeconds(-3)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check timeout must be positive but was PT-3S");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536})
    void checkPortOutOfRangeIsRejected(int port) {
        assertThatThrownBy(() -> DEFAULTS.withPort(port))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check port must be 0..65535 but was " + port);
    }

    @Test
    void nullOnFailureIsRejected() {
        assertThatThrownBy(() -> DEFAULTS.withOnFailure(null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("health check onFailure must not be null");
    }

    @Test
    void eachWithMethodChangesOneField() {
        assertThat(DEFAULTS.withFastInterval(Duration.ofSeconds(1)).fastInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(DEFAULTS.withDownInterval(Duration.ofSeconds(30)).downInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(DEFAULTS.withInitiallyUp(false).initiallyUp()).isFalse();
        assertThat(DEFAULTS.withOnFailure(FailureAction.REMOVE).onFailure()).isEqualTo(FailureAction.REMOVE);
        assertThat(DEFAULTS.withPort(8081).port()).isEqualTo(8081);
        assertThat(DEFAULTS.withPort(8081).withPort(0)).isEqualTo(DEFAULTS).hasSameHashCodeAs(DEFAULTS);
    }

    // --- HTTP

    @Test
    void anHttpCheckDefaultsToGetExpectingTwoOrThreeHundreds() {
        HealthCheck.Http h = HealthCheck.http("/health");

        assertThat(h.method()).isEqualTo("GET");
        assertThat(h.path()).isEqualTo("/health");
        assertThat(h.host()).isEmpty();
        assertThat(h.expectedStatus()).containsExactly(new StatusRange(200, 399));
        assertThat(h.bodyRegex()).isEmpty();
        assertThat(h.tls()).isFalse();
        assertThat(h.settings()).isEqualTo(DEFAULTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"health", "", "/he alth", "/health\r\nX: y", "http://app/health"})
    void anHttpCheckPathMustBeAnOriginFormTarget(String path) {
        assertThatThrownBy(() -> HealthCheck.http(path))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("http check path must start with '/' and hold no space or control character but was '"
                        + path + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GE T", "GET\r\n", "G(E)T"})
    void anHttpCheckMethodMustBeAToken(String method) {
        assertThatThrownBy(() -> HealthCheck.http("/health").withMethod(method))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("http check method must be a token such as GET but was '" + method + "'");
    }

    @Test
    void anHttpCheckBodyRegexMustCompile() {
        assertThatThrownBy(() -> HealthCheck.http("/health").withBodyRegex("status: (up"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http check bodyRegex is not a valid regular expression: 'status: (up'");
    }

    @Test
    void anHttpCheckHostMustHoldNoSpace() {
        assertThatThrownBy(() -> HealthCheck.http("/health").withHost("app example"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("http check host must hold no space or control character but was 'app example'");
    }

    @Test
    void anHttpCheckNeedsExpectedStatuses() {
        assertThatThrownBy(() -> HealthCheck.http("/health").withStatus())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("http check expectedStatus must not be empty");
    }

    @Test
    void statusRangesStayWithinOneHundredTo599AndAscend() {
        assertThatThrownBy(() -> new StatusRange(99, 200))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected status must be 100..599 but was 99");
        assertThatThrownBy(() -> new StatusRange(300, 200))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected status range end must be 300..599 but was 200");
        assertThat(new StatusRange(204, 204)).hasToString("204");
        assertThat(new StatusRange(200, 299).contains(299)).isTrue();
        assertThat(new StatusRange(200, 299).contains(300)).isFalse();
    }

    @Test
    void httpChecksAreValues() {
        HealthCheck.Http a = HealthCheck.http("/health").withHost("app.example").withBodyRegex("ok").withTls(true)
                .withStatus(new StatusRange(200, 200));
        HealthCheck.Http b = HealthCheck.http("/health").withHost("app.example").withBodyRegex("ok").withTls(true)
                .withStatus(new StatusRange(200, 200));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b)
                .isNotEqualTo(b.withTls(false))
                .isNotEqualTo(b.withMethod("HEAD"))
                .isNotEqualTo(b.withSettings(DEFAULTS.withRiseFall(1, 1)));
    }

    @Test
    void withSettingsKeepsTheKindAndNoneStaysNone() {
        CheckSettings fast = DEFAULTS.withInterval(Duration.ofSeconds(1));

        assertThat(HealthCheck.connect().withSettings(fast)).isEqualTo(new HealthCheck.Connect(fast));
        assertThat(HealthCheck.http("/").withSettings(fast).settings()).isEqualTo(fast);
        assertThat(HealthCheck.none().withSettings(fast)).isSameAs(HealthCheck.none());
    }

    // --- send/expect

    @Test
    void aSendExpectCheckNeedsAStep() {
        assertThatThrownBy(() -> HealthCheck.sendExpect(List.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("send/expect check needs at least one step");
    }

    @Test
    void anEmptySendIsRejected() {
        assertThatThrownBy(() -> new Send(""))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("send step must not be empty");
    }

    @Test
    void aSendBeyondIso88591IsRejected() {
        assertThatThrownBy(() -> new Send("PING \u20ac"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("send step must hold ISO-8859-1 characters only but was 'PING \u20ac'");
    }

    @Test
    void anEmptyExpectIsRejected() {
        assertThatThrownBy(() -> new Expect(""))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("expect step must not be empty");
    }

    @Test
    void anExpectThatDoesNotCompileIsRejected() {
        assertThatThrownBy(() -> new Expect("+PONG[")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expect step is not a valid regular expression: '+PONG['");
    }

    @Test
    void sendExpectStepsAreCopied() {
        List<HealthCheck.SendExpect.Step> steps = new java.util.ArrayList<>(List.of(new Send("PING\r\n"),
                new Expect("^\\+PONG")));
        HealthCheck.SendExpect check = HealthCheck.sendExpect(steps);

        steps.clear();

        assertThat(check.steps()).containsExactly(new Send("PING\r\n"), new Expect("^\\+PONG"));
    }

    // --- external

    @ParameterizedTest
    @ValueSource(strings = {"check.sh", "./check.sh", "bin/check", ""})
    void anExternalCommandMustBeAnAbsolutePath(String command) {
        assertThatThrownBy(() -> HealthCheck.external(command, List.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("external check command must be an absolute path but was '" + command + "'");
    }

    @Test
    void anExternalCommandWithANulIsRejected() {
        assertThatThrownBy(() -> HealthCheck.external("/usr/bin/check\0rm", List.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("external check command must be an absolute path");
    }

    @Test
    void anExternalCheckKeepsItsArguments() {
        HealthCheck.External e = HealthCheck.external("/usr/lib/lbkit/check-db", List.of("--quick"));

        assertThat(e.args()).containsExactly("--quick");
        assertThat(e).isEqualTo(HealthCheck.external("/usr/lib/lbkit/check-db", List.of("--quick")));
    }
}
