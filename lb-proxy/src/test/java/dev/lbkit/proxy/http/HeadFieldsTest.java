package dev.lbkit.proxy.http;

import static dev.lbkit.proxy.http.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Lookups and edits of header fields. */
class HeadFieldsTest {
    private static HttpRequestHead parse(String s) throws HttpCodecException {
        return new HttpRequestParser().parse(ByteBuffer.wrap(bytes(s)));
    }

    @Test
    void looksUpNamesIgnoringCaseAndKeepsTheOriginalCase() throws Exception {
        HttpRequestHead h = parse("GET / HTTP/1.1\r\nHost: a\r\nx-forwarded-FOR: 1.2.3.4\r\nAccept: a\r\n"
                + "ACCEPT: b\r\n\r\n");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("1.2.3.4");
        assertThat(h.name(1)).isEqualTo("x-forwarded-FOR");
        assertThat(h.getAll("accept")).containsExactly("a", "b");
        assertThat(h.indexOf("Accept")).isEqualTo(2);
        assertThat(h.indexOf("Accept", 3)).isEqualTo(3);
        assertThat(h.indexOf("Accept", 4)).isEqualTo(-1);
        assertThat(h.contains("Cookie")).isFalse();
        assertThat(h.get("Cookie")).isNull();
        assertThat(h.nameEquals(0, "HOST")).isTrue();
        assertThat(h.host()).isEqualTo("a");
    }

    @Test
    void findsTokensInListsAcrossFields() throws Exception {
        HttpRequestHead h = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo ,  Keep-Alive\r\n"
                + "Connection: , CLOSE\r\n\r\n");
        assertThat(h.hasToken("connection", "close")).isTrue();
        assertThat(h.hasToken("Connection", "keep-alive")).isTrue();
        assertThat(h.hasToken("Connection", "fo")).isFalse();
        assertThat(h.isKeepAlive()).isFalse();
    }

    @Test
    void setReplacesTheFirstAndRemovesTheRest() throws Exception {
        HttpRequestHead h = parse("GET / HTTP/1.1\r\nX-A: 1\r\nHost: a\r\nx-a: 2\r\nX-A: 3\r\n\r\n");
        h.set("X-A", "9");
        assertThat(h.fieldCount()).isEqualTo(2);
        assertThat(h.name(0)).isEqualTo("X-A");
        assertThat(h.value(0)).isEqualTo("9");
        h.set("X-New", "n");
        assertThat(h.value(2)).isEqualTo("n");
        assertThat(h.remove("x-a")).isEqualTo(1);
        assertThat(h.remove("x-a")).isZero();
        h.insert(0, "Forwarded", "for=192.0.2.1");
        assertThat(h.name(0)).isEqualTo("Forwarded");
        assertThat(h.toString()).isEqualTo("GET / HTTP/1.1\r\nForwarded: for=192.0.2.1\r\nHost: a\r\nX-New: n\r\n\r\n");
    }

    @Test
    void manyEditsKeepEveryFieldIntact() throws Exception {
        HttpRequestHead h = parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        for (int i = 0; i < 200; i++) {
            h.add("X-" + i, "v" + i);
        }
        for (int i = 0; i < 200; i += 2) {
            h.remove("X-" + i);
        }
        assertThat(h.fieldCount()).isEqualTo(101);
        assertThat(h.get("X-199")).isEqualTo("v199");
        assertThat(h.get("X-198")).isNull();
        assertThat(h.valueEqualsIgnoreCase(1, "V1")).isTrue();
    }

    @Test
    void tellsTheTargetFormAndPrefix() throws Exception {
        HttpRequestHead h = parse("GET /api/v1/users?id=1 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(h.targetForm()).isEqualTo(TargetForm.ORIGIN);
        assertThat(h.targetStartsWith("/api/")).isTrue();
        assertThat(h.targetStartsWith("/API/")).isFalse();
        assertThat(h.target()).isEqualTo("/api/v1/users?id=1");
        assertThat(h.method()).isEqualTo(HttpMethod.GET);
        assertThat(h.methodName()).isEqualTo("GET");
        HttpRequestHead p = parse("PURGE http://h/x HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(p.method()).isEqualTo(HttpMethod.OTHER);
        assertThat(p.methodName()).isEqualTo("PURGE");
        assertThat(p.targetForm()).isEqualTo(TargetForm.ABSOLUTE);
    }
}
