package dev.lbkit.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpLimitsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        HttpLimits d = HttpLimits.defaults();
        assertThat(d.maxRequestLineLength()).isEqualTo(8192);
        assertThat(d.maxHeaderSectionLength()).isEqualTo(16384);
        assertThat(d.maxHeaderCount()).isEqualTo(100);
        assertThat(d.maxChunkLineLength()).isEqualTo(1024);
        assertThat(d.rejectUnknownMethods()).isFalse();
        assertThat(d.requireLength()).isFalse();
        assertThat(HttpLimits.builder().build()).isEqualTo(d).hasSameHashCodeAs(d);
    }

    @Test
    void refusesOutOfRangeValuesNamingFieldAndValue() {
        assertThatThrownBy(() -> HttpLimits.builder().maxRequestLineLength(15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRequestLineLength")
                .hasMessageContaining("15");
        assertThatThrownBy(() -> HttpLimits.builder().maxHeaderSectionLength(2 << 20))
                .hasMessageContaining("maxHeaderSectionLength").hasMessageContaining("2097152");
        assertThatThrownBy(() -> HttpLimits.builder().maxHeaderCount(0)).hasMessageContaining("maxHeaderCount");
        assertThatThrownBy(() -> HttpLimits.builder().maxChunkLineLength(2)).hasMessageContaining("maxChunkLineLength");
    }

    @Test
    void copiesIntoABuilder() {
        HttpLimits l = HttpLimits.builder().maxHeaderCount(7).requireLength(true).build();
        HttpLimits m = l.toBuilder().rejectUnknownMethods(true).build();
        assertThat(m.maxHeaderCount()).isEqualTo(7);
        assertThat(m.requireLength()).isTrue();
        assertThat(m.rejectUnknownMethods()).isTrue();
        assertThat(m).isNotEqualTo(l);
        assertThat(m.toString()).contains("maxHeaderCount=7");
    }

    @Test
    void everyReasonMapsToAStatusTheIssueNames() {
        for (HttpCodecException.Reason r : HttpCodecException.Reason.values()) {
            assertThat(r.status()).isIn(400, 411, 414, 431, 501, 505);
        }
        HttpCodecException e = new HttpCodecException(HttpCodecException.Reason.TOO_MANY_FIELDS, "x");
        assertThat(e.status()).isEqualTo(431);
    }
}
