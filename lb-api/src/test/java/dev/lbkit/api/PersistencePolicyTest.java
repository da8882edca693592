package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.CookiePersistence.Mode;
import dev.lbkit.api.CookiePersistence.SameSite;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PersistencePolicyTest {

    // --- source IP

    @Test
    void sourceIpPersistenceDefaultsToOneClientAddress() {
        SourceIpPersistence p = PersistencePolicy.sourceIp(Duration.ofMinutes(5));

        assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(p.prefixLength(IpFamily.IPV4)).isEqualTo(32);
        assertThat(p.prefixLength(IpFamily.IPV6)).isEqualTo(128);
        assertThat(p).hasToString("sourceIp(300s, /32, /128)");
    }

    @Test
    void sourceIpPersistenceIsARecordValue() {
        SourceIpPersistence p = PersistencePolicy.sourceIp(Duration.ofSeconds(60), 24, 64);

        assertThat(p).isEqualTo(new SourceIpPersistence(Duration.ofSeconds(60), 24, 64))
                .hasSameHashCodeAs(new SourceIpPersistence(Duration.ofSeconds(60), 24, 64))
                .isNotEqualTo(PersistencePolicy.sourceIp(Duration.ofSeconds(60), 24, 48))
                .isNotEqualTo(PersistencePolicy.sourceIp(Duration.ofSeconds(61), 24, 64))
                .isNotEqualTo(PersistencePolicy.none());
    }

    @Test
    void zeroPersistenceTimeoutIsRejected() {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(Duration.ZERO))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("persistence timeout must be positive but was PT0S");
    }

    @Test
    void negativePersistenceTimeoutIsRejected() {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(Duration.ofSeconds(-5)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("persistence timeout must be positive but was PT-5S");
    }

    @Test
    void fractionalPersistenceTimeoutIsRejected() {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(Duration.ofMillis(1500)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("persistence timeout", "whole seconds", "but was PT1.5S");
    }

    @Test
    void persistenceTimeoutBeyondIpvsRangeIsRejected() {
        Duration tooLong = Duration.ofSeconds(Integer.MAX_VALUE + 1L);

        assertThat(PersistencePolicy.sourceIp(Duration.ofSeconds(Integer.MAX_VALUE)).timeout().getSeconds())
                .isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(tooLong))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("persistence timeout", "but was " + tooLong);
    }

    @Test
    void nullPersistenceTimeoutIsRejected() {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("persistence timeout must not be null");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 33, -1})
    void ipv4PrefixLengthOutsideOneTo32IsRejected(int prefix) {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(Duration.ofMinutes(1), prefix, 128))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("persistence ipv4PrefixLength must be 1..32 but was " + prefix);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 129})
    void ipv6PrefixLengthOutsideOneTo128IsRejected(int prefix) {
        assertThatThrownBy(() -> PersistencePolicy.sourceIp(Duration.ofMinutes(1), 32, prefix))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("persistence ipv6PrefixLength must be 1..128 but was " + prefix);
    }

    @Test
    void prefixLengthsAtTheEdgesAreAccepted() {
        SourceIpPersistence p = PersistencePolicy.sourceIp(Duration.ofMinutes(1), 1, 1);

        assertThat(p.prefixLength(IpFamily.IPV4)).isEqualTo(1);
        assertThat(PersistencePolicy.sourceIp(Duration.ofMinutes(1), 32, 128).prefixLength(IpFamily.IPV6))
                .isEqualTo(128);
    }

    // --- cookie

    @Test
    void cookieDefaultsAreASessionCookieThatIsHttpOnlyAndRedispatches() {
        CookiePersistence c = PersistencePolicy.cookie(Mode.INSERT, "SRVID");

        assertThat(c.mode()).isEqualTo(Mode.INSERT);
        assertThat(c.name()).isEqualTo("SRVID");
        assertThat(c.path()).isEmpty();
        assertThat(c.domain()).isEmpty();
        assertThat(c.maxAge()).isEmpty();
        assertThat(c.secure()).isFalse();
        assertThat(c.httpOnly()).isTrue();
        assertThat(c.sameSite()).isEmpty();
        assertThat(c.indirect()).isFalse();
        assertThat(c.noCache()).isFalse();
        assertThat(c.postOnly()).isFalse();
        assertThat(c.redispatchWhenUnavailable()).isTrue();
        assertThat(c).hasToString("cookie(insert, SRVID)");
    }

    @Test
    void sameSiteNoneWithoutSecureIsRejected() {
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.INSERT, "SRVID").sameSite(SameSite.NONE).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("cookie 'SRVID': SameSite=None requires Secure (browsers drop it otherwise)");
    }

    @Test
    void sameSiteNoneWithSecureIsAccepted() {
        CookiePersistence c = CookiePersistence.builder(Mode.INSERT, "SRVID").sameSite(SameSite.NONE).secure(true)
                .build();

        assertThat(c.sameSite()).contains(SameSite.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SRV ID", "SRV;ID", "SRV=ID", "SRV,ID", "SRV\"ID", "(SRV)", "SRV\tID", "SRVÉ"})
    void cookieNameThatIsNotATokenIsRejected(String name) {
        assertThatThrownBy(() -> PersistencePolicy.cookie(Mode.INSERT, name))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("cookie name must be an RFC 6265 token but was '" + name + "'");
    }

    @Test
    void nullCookieNameIsRejected() {
        assertThatThrownBy(() -> PersistencePolicy.cookie(Mode.INSERT, null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("cookie name must be an RFC 6265 token but was null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "", "/app;evil", "/app\r\nSet-Cookie: x=y", "/app\u007f"})
    void cookiePathThatIsNotAnAbsolutePathAttributeIsRejected(String path) {
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.INSERT, "SRVID").path(path).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("cookie path must start with '/' and hold no ';' or control character but was '"
                        + path + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com;x", "exa mple.com", "example.com\n"})
    void cookieDomainWithSpaceSemicolonOrControlIsRejected(String domain) {
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.INSERT, "SRVID").domain(domain).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("cookie domain must hold no space, ';' or control character but was '" + domain + "'");
    }

    @Test
    void negativeOrFractionalMaxAgeIsRejected() {
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.INSERT, "SRVID").maxAge(Duration.ofSeconds(-1))
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("cookie maxAge", "but was PT-1S");
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.INSERT, "SRVID").maxAge(Duration.ofMillis(500))
                .build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("cookie maxAge", "whole seconds", "but was PT0.5S");
    }

    @Test
    void indirectOrPostOnlyOnAPassiveCookieIsRejected() {
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.PASSIVE, "JSESSIONID").indirect(true).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("cookie 'JSESSIONID'", "indirect", "PASSIVE");
        assertThatThrownBy(() -> CookiePersistence.builder(Mode.PASSIVE, "JSESSIONID").postOnly(true).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("cookie 'JSESSIONID'", "postonly", "PASSIVE");
    }

    @Test
    void cookiesWithEqualAttributesAreEqual() {
        CookiePersistence a = full().build();
        CookiePersistence b = full().build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(null).isNotEqualTo(PersistencePolicy.none());
    }

    @Test
    void cookiesDifferingInAnyAttributeDiffer() {
        CookiePersistence a = full().build();

        assertThat(a)
                .isNotEqualTo(CookiePersistence.builder(Mode.REWRITE, "SRVID").build())
                .isNotEqualTo(a.toBuilder().path("/other").build())
                .isNotEqualTo(a.toBuilder().domain("other.example").build())
                .isNotEqualTo(a.toBuilder().maxAge(null).build())
                .isNotEqualTo(a.toBuilder().sameSite(SameSite.LAX).build())
                .isNotEqualTo(a.toBuilder().sameSite(SameSite.STRICT).secure(false).build())
                .isNotEqualTo(a.toBuilder().httpOnly(false).build())
                .isNotEqualTo(a.toBuilder().indirect(false).build())
                .isNotEqualTo(a.toBuilder().noCache(false).build())
                .isNotEqualTo(a.toBuilder().postOnly(false).build())
                .isNotEqualTo(a.toBuilder().redispatchWhenUnavailable(true).build());
    }

    @Test
    void cookieToBuilderBuildsAnEqualCookie() {
        CookiePersistence c = full().build();

        assertThat(c.toBuilder().build()).isEqualTo(c).isNotSameAs(c);
    }

    @Test
    void noneIsOneValue() {
        assertThat(PersistencePolicy.none()).isSameAs(PersistencePolicy.none()).hasToString("none");
    }

    private static CookiePersistence.Builder full() {
        return CookiePersistence.builder(Mode.INSERT, "SRVID").path("/app").domain("example.com")
                .maxAge(Duration.ofHours(1)).secure(true).httpOnly(true).sameSite(SameSite.NONE).indirect(true)
                .noCache(true).postOnly(true).redispatchWhenUnavailable(false);
    }
}
