package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VipStrictnessTest {
    @ParameterizedTest
    @ValueSource(strings = {"010.0.0.1:80/tcp", "10.0.0.1:+80/tcp", "fwmark:+12", "[10.0.0.1]:80/tcp",
            "10.0.0.\u0661:80/tcp", "10.0.0.1:080000/tcp"})
    void rejectsAmbiguousOrLenientForms(String text) {
        assertThatThrownBy(() -> Vip.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
