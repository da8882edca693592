package dev.lbkit.proxy.http;

import static dev.lbkit.proxy.http.Wire.bytes;
import static dev.lbkit.proxy.http.Wire.head;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** How the parsers consume input, decide the facts of a head, and enforce limits. */
class ParserBehaviourTest {

    @Test
    void consumesAnIncompleteHeadSoTheCallerCanReuseItsBuffer() throws Exception {
        HttpRequestParser p = new HttpRequestParser();
        assertThat(p.isIdle()).isTrue();
        ByteBuffer in = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHo"));
        assertThat(p.parse(in)).isNull();
        assertThat(in.remaining()).isZero();
        assertThat(p.isIdle()).isFalse();
        assertThat(p.bufferedBytes()).isEqualTo(18);
        HttpRequestHead h = p.parse(ByteBuffer.wrap(bytes("st: a\r\n\r\nNEXT")));
        assertThat(h.host()).isEqualTo("a");
        assertThat(p.isIdle()).isTrue();
    }

    @Test
    void stopsRightAfterTheHeadSoPipelinedRequestsAreParsedInOrder() throws Exception {
        HttpRequestParser p = new HttpRequestParser();
        ByteBuffer in = ByteBuffer.wrap(bytes(head("GET /1 HTTP/1.1", "Host: a") + head("POST /2 HTTP/1.1",
                "Host: a", "Content-Length: 3") + "abc" + head("GET /3 HTTP/1.1", "Host: a")));
        HttpRequestHead first = p.parse(in);
        assertThat(first.target()).isEqualTo("/1");
        HttpRequestHead second = p.parse(in);
        assertThat(second.target()).isEqualTo("/2");
        HttpBodyScanner body = HttpBodyScanner.forMessage(second, p.limits());
        int n = body.scan(in);
        assertThat(n).isEqualTo(3);
        assertThat(body.isComplete()).isTrue();
        in.position(in.position() + n);
        assertThat(p.parse(in).target()).isEqualTo("/3");
        assertThat(in.hasRemaining()).isFalse();
        assertThat(first.target()).as("earlier heads own their bytes").isEqualTo("/1");
    }

    @Test
    void decidesKeepAliveForBothVersions() throws Exception {
        assertThat(req("GET / HTTP/1.1", "Host: a").isKeepAlive()).isTrue();
        assertThat(req("GET / HTTP/1.1", "Host: a", "Connection: close").isKeepAlive()).isFalse();
        assertThat(req("GET / HTTP/1.0").isKeepAlive()).isFalse();
        assertThat(req("GET / HTTP/1.0", "Connection: Keep-Alive").isKeepAlive()).isTrue();
        assertThat(req("GET / HTTP/1.0", "Connection: keep-alive, close").isKeepAlive()).isFalse();
        assertThat(resp(null, "HTTP/1.1 200 OK", "Content-Length: 0").isKeepAlive()).isTrue();
        assertThat(resp(null, "HTTP/1.1 200 OK").isKeepAlive()).as("until close").isFalse();
        assertThat(resp(null, "HTTP/1.0 200 OK", "Content-Length: 0").isKeepAlive()).isFalse();
        assertThat(resp(null, "HTTP/1.0 200 OK", "Content-Length: 0", "Connection: keep-alive").isKeepAlive())
                .isTrue();
        assertThat(resp(null, "HTTP/1.1 204 No Content", "Connection: close").isKeepAlive()).isFalse();
    }

    @Test
    void recognisesExpectContinueOnlyInHttp11() throws Exception {
        assertThat(req("PUT / HTTP/1.1", "Host: a", "Expect: 100-Continue", "Content-Length: 1").expectsContinue())
                .isTrue();
        assertThat(req("PUT / HTTP/1.0", "Expect: 100-continue", "Content-Length: 1").expectsContinue()).isFalse();
        assertThat(req("PUT / HTTP/1.1", "Host: a", "Content-Length: 1").expectsContinue()).isFalse();
        HttpResponseHead cont = resp(null, "HTTP/1.1 100 Continue");
        assertThat(cont.isInterim()).isTrue();
        assertThat(cont.framing()).isEqualTo(BodyFraming.NONE);
    }

    @Test
    void recognisesAnUpgradeOnlyWithConnectionUpgrade() throws Exception {
        assertThat(req("GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: upgrade").isUpgrade())
                .isTrue();
        assertThat(req("GET / HTTP/1.1", "Host: a", "Upgrade: websocket").isUpgrade()).isFalse();
        HttpRequestHead up = req("GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade");
        HttpResponseHead r = resp(up, "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket");
        assertThat(r.framing()).isEqualTo(BodyFraming.TUNNEL);
        assertThat(r.isInterim()).isFalse();
        assertThat(r.isKeepAlive()).isFalse();
        HttpResponseHead refused = resp(up, "HTTP/1.1 200 OK", "Content-Length: 2");
        assertThat(refused.framing()).as("server declined the upgrade").isEqualTo(BodyFraming.CONTENT_LENGTH);
    }

    @Test
    void frameResponsesByTheRequestTheyAnswer() throws Exception {
        HttpRequestHead head = HttpRequestHead.create("HEAD", "/", HttpVersion.HTTP_1_1);
        assertThat(resp(head, "HTTP/1.1 200 OK", "Transfer-Encoding: chunked").framing())
                .isEqualTo(BodyFraming.NONE);
        HttpRequestHead connect = HttpRequestHead.create("CONNECT", "a:443", HttpVersion.HTTP_1_1);
        assertThat(resp(connect, "HTTP/1.1 200 Connection Established").framing()).isEqualTo(BodyFraming.TUNNEL);
        assertThat(resp(connect, "HTTP/1.1 407 Auth", "Content-Length: 0").framing())
                .isEqualTo(BodyFraming.CONTENT_LENGTH);
    }

    @Test
    void acceptsHeadsExactlyAtTheLimitsAndRefusesOneByteMore() throws Exception {
        String line = "GET /" + "a".repeat(10) + " HTTP/1.1\r\n"; // 26 bytes
        String fields = "Host: a\r\n" + "X: " + "b".repeat(10) + "\r\n\r\n"; // 9 + 15 + 2 = 26 bytes
        HttpLimits exact = HttpLimits.builder().maxRequestLineLength(line.length())
                .maxHeaderSectionLength(fields.length()).maxHeaderCount(2).build();
        assertThat(new HttpRequestParser(exact).parse(ByteBuffer.wrap(bytes(line + fields)))).isNotNull();
        HttpLimits lineShort = exact.toBuilder().maxRequestLineLength(line.length() - 1).build();
        assertThatThrownBy(() -> new HttpRequestParser(lineShort).parse(ByteBuffer.wrap(bytes(line + fields))))
                .isInstanceOfSatisfying(HttpCodecException.class, e -> assertThat(e.status()).isEqualTo(414));
        HttpLimits fieldsShort = exact.toBuilder().maxHeaderSectionLength(fields.length() - 1).build();
        assertThatThrownBy(() -> new HttpRequestParser(fieldsShort).parse(ByteBuffer.wrap(bytes(line + fields))))
                .isInstanceOfSatisfying(HttpCodecException.class, e -> assertThat(e.status()).isEqualTo(431));
        HttpLimits oneField = exact.toBuilder().maxHeaderCount(1).build();
        assertThatThrownBy(() -> new HttpRequestParser(oneField).parse(ByteBuffer.wrap(bytes(line + fields))))
                .isInstanceOfSatisfying(HttpCodecException.class,
                        e -> assertThat(e.reason()).isEqualTo(HttpCodecException.Reason.TOO_MANY_FIELDS));
    }

    @Test
    void failsAsSoonAsALimitIsPassedWithoutWaitingForTheLineToEnd() {
        HttpLimits small = HttpLimits.builder().maxRequestLineLength(64).build();
        HttpRequestParser p = new HttpRequestParser(small);
        ByteBuffer slowloris = ByteBuffer.wrap(bytes("GET /" + "x".repeat(100)));
        assertThatThrownBy(() -> p.parse(slowloris)).isInstanceOf(HttpCodecException.class)
                .hasMessageContaining("maxRequestLineLength 64");
        assertThat(slowloris.position()).as("never reads past the limit").isLessThanOrEqualTo(64);
    }

    @Test
    void staysFailedUntilResetAndThenParsesAgain() throws Exception {
        HttpRequestParser p = new HttpRequestParser();
        assertThatThrownBy(() -> p.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n"))))
                .isInstanceOf(HttpCodecException.class);
        assertThatThrownBy(() -> p.parse(ByteBuffer.wrap(bytes(head("GET / HTTP/1.1", "Host: a")))))
                .isInstanceOfSatisfying(HttpCodecException.class, e -> assertThat(e.reason())
                        .isEqualTo(HttpCodecException.Reason.WHITESPACE_BEFORE_COLON));
        p.reset();
        assertThat(p.parse(ByteBuffer.wrap(bytes(head("GET / HTTP/1.1", "Host: a"))))).isNotNull();
    }

    @Test
    void namesTheFieldAndValueInItsMessages() {
        assertThatThrownBy(() -> req("POST / HTTP/1.1", "Host: a", "Content-Length: 12x"))
                .hasMessageContaining("Content-Length").hasMessageContaining("12x");
        assertThatThrownBy(() -> req("GET / HTTP/1.1", "Host: a", "X-Evil: a\u0000b"))
                .hasMessageContaining("X-Evil").hasMessageContaining("\\x00");
    }

    @Test
    void readsHeapAndDirectBuffersAlike() throws Exception {
        byte[] msg = bytes(head("GET /x HTTP/1.1", "Host: a", "A: b"));
        ByteBuffer direct = ByteBuffer.allocateDirect(msg.length + 10);
        direct.put(new byte[10]).put(msg).flip().position(10);
        ByteBuffer slice = ByteBuffer.wrap(new byte[msg.length + 20], 5, msg.length).slice();
        slice.put(msg).flip();
        assertThat(new HttpRequestParser().parse(direct).toString())
                .isEqualTo(new HttpRequestParser().parse(slice).toString())
                .isEqualTo(new String(msg, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static HttpRequestHead req(String... lines) throws HttpCodecException {
        HttpRequestHead h = new HttpRequestParser().parse(ByteBuffer.wrap(bytes(head(lines))));
        assertThat(h).isNotNull();
        return h;
    }

    private static HttpResponseHead resp(HttpRequestHead request, String... lines) throws HttpCodecException {
        HttpResponseHead h = new HttpResponseParser().parse(ByteBuffer.wrap(bytes(head(lines))), request);
        assertThat(h).isNotNull();
        return h;
    }
}
