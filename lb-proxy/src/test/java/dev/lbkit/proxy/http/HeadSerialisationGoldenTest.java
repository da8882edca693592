package dev.lbkit.proxy.http;

import static dev.lbkit.proxy.http.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Exact bytes written for parsed, edited and built heads. */
class HeadSerialisationGoldenTest {

    private static HttpRequestHead request(String s) throws HttpCodecException {
        HttpRequestHead h = new HttpRequestParser().parse(ByteBuffer.wrap(bytes(s)));
        assertThat(h).as("complete head").isNotNull();
        return h;
    }

    private static String encoded(HttpHead h) {
        ByteBuffer b = h.encode();
        assertThat(b.remaining()).isEqualTo(h.encodedLength());
        return StandardCharsets.ISO_8859_1.decode(b).toString();
    }

    @Test
    void writesAParsedHeadBackByteForByteWhenItIsAlreadyCanonical() throws Exception {
        String in = "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
        assertThat(encoded(request(in))).isEqualTo(in);
    }

    @Test
    void normalisesWhitespaceAroundValuesAndKeepsNameCaseAndOrder() throws Exception {
        HttpRequestHead h = request("GET / HTTP/1.1\r\nhOsT:a\r\nX-Two:   b c \t\r\nx-empty:\r\n\r\n");
        assertThat(encoded(h)).isEqualTo("GET / HTTP/1.1\r\nhOsT: a\r\nX-Two: b c\r\nx-empty: \r\n\r\n");
    }

    @Test
    void writesHttp10AsReceivedAndTheVersionSetByTheProxy() throws Exception {
        HttpRequestHead h = request("GET / HTTP/1.0\r\n\r\n");
        assertThat(encoded(h)).isEqualTo("GET / HTTP/1.0\r\n\r\n");
        h.setVersion(HttpVersion.HTTP_1_1);
        h.add("Host", "b");
        assertThat(encoded(h)).isEqualTo("GET / HTTP/1.1\r\nHost: b\r\n\r\n");
    }

    @Test
    void writesTheProxyEditsOfARequest() throws Exception {
        HttpRequestHead h = request("GET /old HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\n"
                + "X-Secret: s\r\nKeep-Alive: timeout=5\r\nX-Forwarded-For: 192.0.2.1\r\nCookie: SRV=s1; id=7\r\n"
                + "TE: trailers\r\n\r\n");
        assertThat(h.removeHopByHop(false)).isEqualTo(4);
        h.setValue(h.indexOf("X-Forwarded-For"), h.get("X-Forwarded-For") + ", 127.0.0.1");
        h.set("Cookie", "id=7");
        h.add("X-Forwarded-Proto", "http");
        h.setTarget("/new?x=1");
        assertThat(encoded(h)).isEqualTo("GET /new?x=1 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 192.0.2.1, "
                + "127.0.0.1\r\nCookie: id=7\r\nX-Forwarded-Proto: http\r\n\r\n");
    }

    @Test
    void keepsUpgradeAndOneConnectionFieldForAWebSocketHandshake() throws Exception {
        HttpRequestHead h = request("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n");
        assertThat(h.isUpgrade()).isTrue();
        h.removeHopByHop(true);
        assertThat(encoded(h)).isEqualTo("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: k\r\nConnection: upgrade\r\n\r\n");
    }

    @Test
    void neverRemovesFramingOrHostEvenWhenConnectionNamesThem() throws Exception {
        HttpRequestHead h = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
                + "Connection: Content-Length, Host, Transfer-Encoding, close\r\n\r\nhi");
        h.removeHopByHop(false);
        assertThat(encoded(h)).isEqualTo("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n");
        assertThat(h.isKeepAlive()).as("parse-time fact survives the edit").isFalse();
    }

    @Test
    void collapsesIdenticalContentLengthsIntoOneField() throws Exception {
        HttpRequestHead h = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nX: y\r\n"
                + "content-length: 3\r\n\r\nabc");
        assertThat(encoded(h)).isEqualTo("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX: y\r\n\r\n");
        assertThat(h.contentLength()).isEqualTo(3);
    }

    @Test
    void buildsTheResponsesTheProxyWritesItself() {
        HttpResponseHead cont = HttpResponseHead.create(100, "Continue", HttpVersion.HTTP_1_1);
        assertThat(encoded(cont)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        HttpResponseHead err = HttpResponseHead.create(503, "Service Unavailable", HttpVersion.HTTP_1_1);
        err.add("Content-Type", "text/plain");
        err.setContentLength(20);
        err.add("Connection", "close");
        assertThat(encoded(err)).isEqualTo("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 20\r\nConnection: close\r\n\r\n");
        assertThat(err.framing()).isEqualTo(BodyFraming.CONTENT_LENGTH);
        assertThat(err.contentLength()).isEqualTo(20);
    }

    @Test
    void rewritesStatusAndFramingOfAResponse() throws Exception {
        HttpResponseHead r = new HttpResponseParser().parse(ByteBuffer.wrap(bytes(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=b\r\n\r\n")), null);
        r.setStatus(502, "Bad Gateway");
        r.setContentLength(0);
        r.add("Set-Cookie", "SRV=s1; Path=/");
        assertThat(encoded(r)).isEqualTo("HTTP/1.1 502 Bad Gateway\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n"
                + "Set-Cookie: SRV=s1; Path=/\r\n\r\n");
    }

    @Test
    void writesAnEmptyReasonPhraseWithItsSpace() throws Exception {
        HttpResponseHead r = new HttpResponseParser().parse(ByteBuffer.wrap(bytes(
                "HTTP/1.1 204\r\n\r\n")), null);
        assertThat(encoded(r)).isEqualTo("HTTP/1.1 204 \r\n\r\n");
    }

    @Test
    void writesAllOrNothingIntoATooSmallBuffer() throws Exception {
        HttpRequestHead h = request("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ByteBuffer small = ByteBuffer.allocate(h.encodedLength() - 1);
        assertThat(h.encodeTo(small)).isFalse();
        assertThat(small.position()).isZero();
        ByteBuffer direct = ByteBuffer.allocateDirect(h.encodedLength());
        assertThat(h.encodeTo(direct)).isTrue();
        assertThat(direct.remaining()).isZero();
    }

    @Test
    void refusesEditsThatWouldCorruptTheMessage() throws Exception {
        HttpRequestHead h = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx");
        assertThatThrownBy(() -> h.add("X-Bad", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Bad");
        assertThatThrownBy(() -> h.add("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad Name");
        assertThatThrownBy(() -> h.add("X", " padded")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X", "\u20ac")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.remove("Content-Length")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> h.add("Transfer-Encoding", "chunked")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.setTarget("/a b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/a b");
        assertThatThrownBy(() -> HttpRequestHead.create("GET", "*", HttpVersion.HTTP_1_1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpResponseHead.create(99, "x", HttpVersion.HTTP_1_1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
        assertThat(encoded(h)).isEqualTo("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n");
    }
}
