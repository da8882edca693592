package dev.lbkit.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.proxy.ProxyOptions.ProxyProtocol;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ProxyOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ProxyOptions o = ProxyOptions.defaults();
        assertThat(o.clientIdleTimeout()).isEmpty();
        assertThat(o.serverIdleTimeout()).isEmpty();
        assertThat(o.connectionLifetime()).isEqualTo(Duration.ZERO);
        assertThat(o.queueSize()).isEqualTo(1024);
        assertThat(o.queueTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.redispatchAttempts()).isEqualTo(3);
        assertThat(o.sendProxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        assertThat(o.acceptProxyProtocolFrom()).isEmpty();
        assertThat(o.proxyProtocolTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.tcpNoDelay()).isTrue();
        assertThat(o.keepAlive()).isTrue();
        assertThat(o.closeConnectionsOnRemove()).isFalse();
        assertThat(o.backlog()).isEqualTo(1024);
    }

    @Test
    void badValuesAreRejectedNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> ProxyOptions.builder().queueSize(-1))
                .hasMessage("proxy options: queueSize must be 0..1000000 but was -1");
        assertThatThrownBy(() -> ProxyOptions.builder().queueTimeout(Duration.ZERO))
                .hasMessage("proxy options: queueTimeout must be positive but was PT0S");
        assertThatThrownBy(() -> ProxyOptions.builder().acceptProxyProtocolFrom(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void aRealServersOwnProxyProtocolVersionOverridesTheVirtualServers() {
        ProxyOptions o = ProxyOptions.builder().sendProxyProtocol(ProxyProtocol.V1)
                .sendProxyProtocolTo("legacy", ProxyProtocol.NONE).build();
        assertThat(o.sendProxyProtocolTo("app1")).isEqualTo(ProxyProtocol.V1);
        assertThat(o.sendProxyProtocolTo("legacy")).isEqualTo(ProxyProtocol.NONE);
    }

    @Property
    void toBuilderGivesAnEqualValue(@ForAll @IntRange(min = 0, max = 1_000_000) int queueSize,
            @ForAll @IntRange(min = 0, max = 100) int redispatch, @ForAll boolean noDelay,
            @ForAll @IntRange(min = 1, max = 100_000) int millis, @ForAll ProxyProtocol version) {
        ProxyOptions o = ProxyOptions.builder().queueSize(queueSize).redispatchAttempts(redispatch)
                .tcpNoDelay(noDelay).clientIdleTimeout(Duration.ofMillis(millis)).sendProxyProtocol(version)
                .acceptProxyProtocolFrom(List.of("10.0.0.0/8")).build();
        assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
        assertThat(o.toBuilder().queueSize(queueSize == 0 ? 1 : 0).build()).isNotEqualTo(o);
    }
}
