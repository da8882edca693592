package dev.lbkit.proxy.http;

import static dev.lbkit.proxy.http.BodyFraming.CHUNKED;
import static dev.lbkit.proxy.http.BodyFraming.CONTENT_LENGTH;
import static dev.lbkit.proxy.http.BodyFraming.NONE;
import static dev.lbkit.proxy.http.BodyFraming.TUNNEL;
import static dev.lbkit.proxy.http.BodyFraming.UNTIL_CLOSE;
import static dev.lbkit.proxy.http.HttpCodecException.Reason.*;
import static dev.lbkit.proxy.http.Wire.head;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.proxy.http.HttpCodecException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The smuggling and malformed-input table: every vector is a byte stream with its expected outcome, either a
 * rejection reason (with the status it maps to) or acceptance with the framing and the number of bytes that
 * belong to the body. Each vector is run in one buffer and again cut after every byte; both must match.
 */
class SmugglingAndMalformedVectorsTest {
    private static final HttpLimits DEFAULTS = HttpLimits.defaults();
    private static final HttpLimits SMALL = HttpLimits.builder().maxRequestLineLength(32).maxHeaderSectionLength(64)
            .maxHeaderCount(3).maxChunkLineLength(16).build();
    private static final HttpLimits STRICT = HttpLimits.builder().rejectUnknownMethods(true).requireLength(true)
            .build();

    /** A request the response vectors answer. */
    private static HttpRequestHead request(String method, String... extra) {
        HttpRequestHead r = HttpRequestHead.create(method, method.equals("CONNECT") ? "a:443" : "/",
                HttpVersion.HTTP_1_1);
        return r;
    }

    private static HttpRequestHead upgradeRequest() throws HttpCodecException {
        return new HttpRequestParser().parse(java.nio.ByteBuffer.wrap(Wire.bytes(head("GET /ws HTTP/1.1",
                "Host: a", "Connection: Upgrade", "Upgrade: websocket"))));
    }

    record Vector(String name, String input, boolean response, HttpRequestHead request, HttpLimits limits,
            Reason reason, int status, BodyFraming framing, long bodyLength, int rest) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Vector> VECTORS = new ArrayList<>();

    private static void reject(String name, String input, Reason reason, int status) {
        VECTORS.add(new Vector(name, input, false, null, DEFAULTS, reason, status, null, -1, -1));
    }

    private static void reject(String name, HttpLimits limits, String input, Reason reason, int status) {
        VECTORS.add(new Vector(name, input, false, null, limits, reason, status, null, -1, -1));
    }

    private static void accept(String name, String input, BodyFraming framing, long body, int rest) {
        VECTORS.add(new Vector(name, input, false, null, DEFAULTS, null, 0, framing, body, rest));
    }

    /** A chunked POST whose whole {@code body} must be taken as the body. */
    private static void acceptChunked(String name, String body) {
        accept(name, chunked(body), CHUNKED, body.length(), 0);
    }

    private static void response(String name, HttpRequestHead req, String input, Reason reason,
            BodyFraming framing, long body) {
        VECTORS.add(new Vector(name, input, true, req, DEFAULTS, reason, reason == null ? 0 : reason.status(),
                framing, body, 0));
    }

    private static final String CHUNKED_HELLO = "5\r\nhello\r\n0\r\n\r\n";

    private static String post(String... fields) {
        String[] lines = new String[fields.length + 2];
        lines[0] = "POST /p HTTP/1.1";
        lines[1] = "Host: example.com";
        System.arraycopy(fields, 0, lines, 2, fields.length);
        return head(lines);
    }

    private static String chunked(String body) {
        return post("Transfer-Encoding: chunked") + body;
    }

    static {
        // ---- accepted, with framing ----
        accept("plain GET", head("GET / HTTP/1.1", "Host: a"), NONE, 0, 0);
        accept("POST with Content-Length", post("Content-Length: 5") + "hello", CONTENT_LENGTH, 5, 0);
        accept("POST with Content-Length 0", post("Content-Length: 0"), CONTENT_LENGTH, 0, 0);
        accept("chunked body", chunked(CHUNKED_HELLO), CHUNKED, CHUNKED_HELLO.length(), 0);
        acceptChunked("chunk extension token", "5;name=value\r\nhello\r\n0\r\n\r\n");
        acceptChunked("chunk extension quoted", "5;n=\"a \\\" b\"\r\nhello\r\n0\r\n\r\n");
        acceptChunked("chunk extension with BWS", "5 ; n = v\r\nhello\r\n0\r\n\r\n");
        acceptChunked("chunk extension without value", "5;x;y\r\nhello\r\n0;z\r\n\r\n");
        acceptChunked("chunked with trailers", "5\r\nhello\r\n0\r\nX-Sum: 1\r\nX-B:\r\n\r\n");
        acceptChunked("upper-case hex size", "A\r\n0123456789\r\n0\r\n\r\n");
        acceptChunked("leading zeros in chunk size", "0005\r\nhello\r\n000\r\n\r\n");
        accept("identical duplicate Content-Length fields", post("Content-Length: 5", "Content-Length: 5")
                + "hello", CONTENT_LENGTH, 5, 0);
        accept("identical Content-Length list", post("Content-Length: 5, 5") + "hello", CONTENT_LENGTH, 5, 0);
        accept("gzip then chunked", post("Transfer-Encoding: gzip, chunked") + CHUNKED_HELLO, CHUNKED, 15, 0);
        accept("Transfer-Encoding over two fields", post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked")
                + CHUNKED_HELLO, CHUNKED, 15, 0);
        accept("chunked in any case", post("Transfer-Encoding: ChUnKeD") + CHUNKED_HELLO, CHUNKED, 15, 0);
        accept("HTTP/1.0 without Host", head("GET / HTTP/1.0"), NONE, 0, 0);
        accept("absolute-form target", head("GET http://a.example:8080/x?y HTTP/1.1", "Host: a.example:8080"),
                NONE, 0, 0);
        accept("asterisk-form for OPTIONS", head("OPTIONS * HTTP/1.1", "Host: a"), NONE, 0, 0);
        accept("authority-form for CONNECT", head("CONNECT a.example:443 HTTP/1.1", "Host: a.example:443"),
                NONE, 0, 0);
        accept("empty lines before the request line", "\r\n\r\n" + head("GET / HTTP/1.1", "Host: a"), NONE, 0, 0);
        accept("HTTP/1.2 read as 1.1", head("GET / HTTP/1.2", "Host: a"), NONE, 0, 0);
        accept("extension method", head("PURGE /x HTTP/1.1", "Host: a"), NONE, 0, 0);
        accept("obs-text and tab in a value", head("GET / HTTP/1.1", "Host: a", "X-T: caf\u00e9\tbar"), NONE, 0,
                0);
        accept("empty value", head("GET / HTTP/1.1", "Host: a", "X-Empty:"), NONE, 0, 0);
        accept("IPv6 literal Host with port", head("GET / HTTP/1.1", "Host: [::1]:8080"), NONE, 0, 0);
        String next = head("GET /next HTTP/1.1", "Host: a");
        accept("pipelined second request left unread", head("GET /a HTTP/1.1", "Host: a") + next, NONE, 0,
                next.length());
        accept("body followed by the next request", post("Content-Length: 5") + "hello" + next, CONTENT_LENGTH, 5,
                next.length());
        accept("chunked body followed by the next request", chunked(CHUNKED_HELLO) + next, CHUNKED,
                CHUNKED_HELLO.length(), next.length());

        // ---- request line ----
        reject("two spaces after the method", head("GET  / HTTP/1.1", "Host: a"), BAD_REQUEST_LINE, 400);
        reject("space after the version", head("GET / HTTP/1.1 ", "Host: a"), BAD_REQUEST_LINE, 400);
        reject("no version", head("GET /", "Host: a"), BAD_REQUEST_LINE, 400);
        reject("space in the target", head("GET /a b HTTP/1.1", "Host: a"), BAD_REQUEST_LINE, 400);
        reject("method with a separator", head("G(T / HTTP/1.1", "Host: a"), BAD_METHOD, 400);
        reject("tab as separator", head("GET\t/ HTTP/1.1", "Host: a"), BAD_METHOD, 400);
        reject("lower-case version", head("GET / http/1.1", "Host: a"), BAD_VERSION, 400);
        reject("version with letters", head("GET / HTTP/1.x", "Host: a"), BAD_VERSION, 400);
        reject("version without minor", head("GET / HTTP/1", "Host: a"), BAD_VERSION, 400);
        reject("HTTP/2.0 on an HTTP/1 connection", head("GET / HTTP/2.0", "Host: a"), VERSION_NOT_SUPPORTED, 505);
        reject("HTTP/0.9", head("GET / HTTP/0.9", "Host: a"), VERSION_NOT_SUPPORTED, 505);
        reject("fragment in the target", head("GET /a#b HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("relative target", head("GET a/b HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("asterisk for GET", head("GET * HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("userinfo in an absolute-form target", head("GET http://u:p@a/x HTTP/1.1", "Host: a"),
                BAD_REQUEST_TARGET, 400);
        reject("absolute-form without host", head("GET http:///x HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("CONNECT without port", head("CONNECT a.example HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("origin-form for CONNECT", head("CONNECT /x HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("non-ASCII byte in the target", head("GET /caf\u00e9 HTTP/1.1", "Host: a"), BAD_REQUEST_TARGET, 400);
        reject("NUL in the target", head("GET /a\0b HTTP/1.1", "Host: a"), NUL_BYTE, 400);
        reject("bare CR in the request line", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", BARE_CR, 400);
        reject("request line ending in bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n", BARE_LF, 400);
        reject(">4 empty lines first", "\r\n\r\n\r\n\r\n\r\n" + head("GET / HTTP/1.1", "Host: a"),
                BAD_REQUEST_LINE, 400);
        reject("request line too long", SMALL, head("GET /" + "a".repeat(40) + " HTTP/1.1", "Host: a"),
                REQUEST_LINE_TOO_LONG, 414);
        reject("request line never ends", SMALL, "GET /" + "a".repeat(100), REQUEST_LINE_TOO_LONG, 414);
        reject("unknown method when refused", STRICT, head("PURGE / HTTP/1.1", "Host: a"), METHOD_NOT_IMPLEMENTED,
                501);
        reject("lower-case method when refused", STRICT, head("get / HTTP/1.1", "Host: a"), METHOD_NOT_IMPLEMENTED,
                501);

        // ---- field lines ----
        reject("obs-fold", head("GET / HTTP/1.1", "Host: a", "X-A: b", " c"), OBS_FOLD, 400);
        reject("tab fold", head("GET / HTTP/1.1", "Host: a", "X-A: b", "\tc"), OBS_FOLD, 400);
        reject("whitespace before the first field", head("GET / HTTP/1.1", " Host: a"), OBS_FOLD, 400);
        reject("space before the colon", head("GET / HTTP/1.1", "Host : a"), WHITESPACE_BEFORE_COLON, 400);
        reject("tab before the colon", chunked("").replace("Transfer-Encoding:", "Transfer-Encoding\t:"),
                WHITESPACE_BEFORE_COLON, 400);
        reject("space inside a name", head("GET / HTTP/1.1", "Host: a", "X A: b"), BAD_FIELD_NAME, 400);
        reject("separator in a name", head("GET / HTTP/1.1", "Host: a", "X@A: b"), BAD_FIELD_NAME, 400);
        reject("non-ASCII name", head("GET / HTTP/1.1", "Host: a", "X-\u00c3: b"), BAD_FIELD_NAME, 400);
        reject("empty name", head("GET / HTTP/1.1", "Host: a", ": b"), BAD_FIELD_NAME, 400);
        reject("no colon", head("GET / HTTP/1.1", "Host: a", "NoColon"), MISSING_COLON, 400);
        reject("control byte in a value", head("GET / HTTP/1.1", "Host: a", "X: a\u0001b"), BAD_FIELD_VALUE, 400);
        reject("DEL in a value", head("GET / HTTP/1.1", "Host: a", "X: a\u007fb"), BAD_FIELD_VALUE, 400);
        reject("NUL in a value", head("GET / HTTP/1.1", "Host: a", "X: a\0b"), NUL_BYTE, 400);
        reject("NUL in a name", head("GET / HTTP/1.1", "Host: a", "X\0: b"), NUL_BYTE, 400);
        reject("bare CR in a value", head("GET / HTTP/1.1", "Host: a", "X: a\rb"), BARE_CR, 400);
        reject("bare CR ending a field", "GET / HTTP/1.1\r\nHost: a\r\rX: b\r\n\r\n", BARE_CR, 400);
        reject("field ending in bare LF", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", BARE_LF, 400);
        reject("head ending in bare LF", "GET / HTTP/1.1\r\nHost: a\r\n\n", BARE_LF, 400);
        reject("header section too large", SMALL, head("GET / HTTP/1.1", "Host: a", "X: " + "b".repeat(80)),
                HEADER_SECTION_TOO_LARGE, 431);
        reject("too many fields", SMALL, head("GET / HTTP/1.1", "Host: a", "A: 1", "B: 2", "C: 3"),
                TOO_MANY_FIELDS, 431);

        // ---- Host ----
        reject("no Host in HTTP/1.1", head("GET / HTTP/1.1", "X: a"), MISSING_HOST, 400);
        reject("two Host fields", head("GET / HTTP/1.1", "Host: a", "Host: b"), MULTIPLE_HOST, 400);
        reject("two identical Host fields", head("GET / HTTP/1.1", "Host: a", "host: a"), MULTIPLE_HOST, 400);
        reject("Host list", head("GET / HTTP/1.1", "Host: a, b"), MULTIPLE_HOST, 400);
        reject("Host with userinfo", head("GET / HTTP/1.1", "Host: u@a"), BAD_HOST, 400);
        reject("Host with a path", head("GET / HTTP/1.1", "Host: a/b"), BAD_HOST, 400);
        reject("Host with a bad port", head("GET / HTTP/1.1", "Host: a:8o"), BAD_HOST, 400);
        reject("Host IPv6 literal unterminated", head("GET / HTTP/1.1", "Host: [::1:80"), BAD_HOST, 400);
        reject("Host IPv6 literal with a bracket inside", head("GET / HTTP/1.1", "Host: [::[1]"), BAD_HOST, 400);
        reject("Host with a space inside", head("GET / HTTP/1.1", "Host: a b"), BAD_HOST, 400);

        // ---- Content-Length and Transfer-Encoding ----
        reject("CL then TE", post("Content-Length: 5", "Transfer-Encoding: chunked") + CHUNKED_HELLO,
                CONTENT_LENGTH_WITH_TRANSFER_ENCODING, 400);
        reject("TE then CL", post("Transfer-Encoding: chunked", "Content-Length: 5") + CHUNKED_HELLO,
                CONTENT_LENGTH_WITH_TRANSFER_ENCODING, 400);
        reject("CL with unknown TE", post("Content-Length: 5", "Transfer-Encoding: xchunked") + "hello",
                CONTENT_LENGTH_WITH_TRANSFER_ENCODING, 400);
        reject("differing Content-Length fields", post("Content-Length: 5", "Content-Length: 6") + "hello!",
                DIFFERING_CONTENT_LENGTHS, 400);
        reject("differing Content-Length list", post("Content-Length: 5, 6") + "hello!", DIFFERING_CONTENT_LENGTHS,
                400);
        reject("negative Content-Length", post("Content-Length: -1"), BAD_CONTENT_LENGTH, 400);
        reject("signed Content-Length", post("Content-Length: +5") + "hello", BAD_CONTENT_LENGTH, 400);
        reject("hex Content-Length", post("Content-Length: 0x5") + "hello", BAD_CONTENT_LENGTH, 400);
        reject("empty Content-Length", post("Content-Length:"), BAD_CONTENT_LENGTH, 400);
        reject("Content-Length with inner space", post("Content-Length: 1 2"), BAD_CONTENT_LENGTH, 400);
        reject("Content-Length with empty list member", post("Content-Length: 5,") + "hello", BAD_CONTENT_LENGTH,
                400);
        reject("Content-Length overflowing 63 bits", post("Content-Length: 9223372036854775808"),
                CONTENT_LENGTH_OVERFLOW, 400);
        reject("Content-Length of 20 digits", post("Content-Length: 99999999999999999999"),
                CONTENT_LENGTH_OVERFLOW, 400);
        reject("chunked not last", post("Transfer-Encoding: chunked, gzip") + CHUNKED_HELLO,
                TRANSFER_ENCODING_NOT_CHUNKED_LAST, 400);
        reject("only gzip", post("Transfer-Encoding: gzip") + "hello", TRANSFER_ENCODING_NOT_CHUNKED_LAST, 400);
        reject("chunked twice", post("Transfer-Encoding: chunked, chunked") + CHUNKED_HELLO, BAD_TRANSFER_ENCODING,
                400);
        reject("chunked twice over two fields", post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked")
                + CHUNKED_HELLO, BAD_TRANSFER_ENCODING, 400);
        reject("parameter on chunked", post("Transfer-Encoding: chunked;q=1") + CHUNKED_HELLO,
                BAD_TRANSFER_ENCODING, 400);
        reject("empty Transfer-Encoding", post("Transfer-Encoding:") + CHUNKED_HELLO, BAD_TRANSFER_ENCODING, 400);
        reject("empty Transfer-Encoding member", post("Transfer-Encoding: ,chunked") + CHUNKED_HELLO,
                BAD_TRANSFER_ENCODING, 400);
        reject("quoted chunked", post("Transfer-Encoding: \"chunked\"") + CHUNKED_HELLO, BAD_TRANSFER_ENCODING,
                400);
        reject("unknown coding", post("Transfer-Encoding: foo") + "hello", UNKNOWN_TRANSFER_ENCODING, 501);
        reject("identity coding", post("Transfer-Encoding: identity") + "hello", UNKNOWN_TRANSFER_ENCODING, 501);
        reject("unknown coding before chunked", post("Transfer-Encoding: foo, chunked") + CHUNKED_HELLO,
                UNKNOWN_TRANSFER_ENCODING, 501);
        reject("TE in HTTP/1.0", head("POST / HTTP/1.0", "Transfer-Encoding: chunked") + CHUNKED_HELLO,
                TRANSFER_ENCODING_IN_HTTP10, 400);
        reject("POST without length when required", STRICT, post(), LENGTH_REQUIRED, 411);

        // ---- chunked bodies ----
        reject("chunk size not hex", chunked("g\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_SIZE, 400);
        reject("negative chunk size", chunked("-5\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_SIZE, 400);
        reject("0x prefix in chunk size", chunked("0x5\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_SIZE, 400);
        reject("space before chunk size", chunked(" 5\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_SIZE, 400);
        reject("empty chunk size line", chunked("\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_SIZE, 400);
        reject("space after chunk size", chunked("5 \r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_EXTENSION, 400);
        reject("chunk size overflow", chunked("8000000000000000\r\nhello"), CHUNK_SIZE_OVERFLOW, 400);
        reject("empty extension", chunked("5;\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_EXTENSION, 400);
        reject("extension value with a space", chunked("5;a=b c\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_EXTENSION, 400);
        reject("extension with a separator", chunked("5;a@b\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_EXTENSION, 400);
        reject("data longer than its size", chunked("5\r\nhelloX\r\n0\r\n\r\n"), BAD_CHUNK_END, 400);
        reject("data shorter than its size", chunked("6\r\nhello\r\n0\r\n\r\n"), BAD_CHUNK_END, 400);
        reject("LF only after data", chunked("5\r\nhello\n0\r\n\r\n"), BAD_CHUNK_END, 400);
        reject("chunk size line with bare LF", chunked("5\nhello\r\n0\r\n\r\n"), BARE_LF, 400);
        reject("chunk size line with bare CR", chunked("5\rhello\r\n0\r\n\r\n"), BARE_CR, 400);
        reject("NUL in chunk size line", chunked("5\0\r\nhello\r\n0\r\n\r\n"), NUL_BYTE, 400);
        reject("chunk line too long", SMALL, chunked("5;" + "a".repeat(20) + "\r\nhello\r\n0\r\n\r\n")
                .replace("example.com", "e"), CHUNK_LINE_TOO_LONG, 400);
        reject("trailer obs-fold", chunked("0\r\nX: a\r\n b\r\n\r\n"), OBS_FOLD, 400);
        reject("trailer space before colon", chunked("0\r\nX : a\r\n\r\n"), WHITESPACE_BEFORE_COLON, 400);
        reject("trailer without colon", chunked("0\r\nX\r\n\r\n"), MISSING_COLON, 400);
        reject("trailer NUL", chunked("0\r\nX: a\0\r\n\r\n"), NUL_BYTE, 400);
        reject("trailer bare LF", chunked("0\r\nX: a\n\r\n"), BARE_LF, 400);
        reject("too many trailers", SMALL, chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n")
                .replace("example.com", "e"), TRAILER_SECTION_TOO_LARGE, 400);

        // ---- responses ----
        HttpRequestHead get = request("GET");
        response("response with Content-Length", get, head("HTTP/1.1 200 OK", "Content-Length: 5") + "hello", null,
                CONTENT_LENGTH, 5);
        response("chunked response", get, head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked") + CHUNKED_HELLO,
                null, CHUNKED, 15);
        response("response until close", get, head("HTTP/1.1 200 OK") + "all of this", null, UNTIL_CLOSE, 11);
        response("response TE not chunked: until close", get, head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip")
                + "zzz", null, UNTIL_CLOSE, 3);
        response("204 has no body", get, head("HTTP/1.1 204 No Content"), null, NONE, 0);
        response("304 ignores Content-Length", get, head("HTTP/1.1 304 Not Modified", "Content-Length: 100"), null,
                NONE, 0);
        response("HEAD response ignores Content-Length", request("HEAD"), head("HTTP/1.1 200 OK",
                "Content-Length: 100"), null, NONE, 0);
        response("100 Continue is interim", get, head("HTTP/1.1 100 Continue"), null, NONE, 0);
        response("status line without reason", get, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", null,
                CONTENT_LENGTH, 0);
        try {
            response("101 to an upgrade request", upgradeRequest(), head("HTTP/1.1 101 Switching Protocols",
                    "Upgrade: websocket", "Connection: Upgrade") + "frames", null, TUNNEL, 6);
        } catch (HttpCodecException e) {
            throw new AssertionError(e);
        }
        response("101 without an upgrade request", get, head("HTTP/1.1 101 Switching Protocols"),
                UNEXPECTED_UPGRADE, null, 0);
        response("200 to CONNECT is a tunnel", request("CONNECT"), head("HTTP/1.1 200 OK") + "tls", null, TUNNEL,
                3);
        response("response with CL and TE", get, head("HTTP/1.1 200 OK", "Content-Length: 5",
                "Transfer-Encoding: chunked") + CHUNKED_HELLO, CONTENT_LENGTH_WITH_TRANSFER_ENCODING, null, 0);
        response("response with differing CL", get, head("HTTP/1.1 200 OK", "Content-Length: 5",
                "Content-Length: 50"), DIFFERING_CONTENT_LENGTHS, null, 0);
        response("TE in an HTTP/1.0 response", get, head("HTTP/1.0 200 OK", "Transfer-Encoding: chunked"),
                TRANSFER_ENCODING_IN_HTTP10, null, 0);
        response("two-digit status", get, head("HTTP/1.1 20 OK"), BAD_STATUS_LINE, null, 0);
        response("status 600", get, head("HTTP/1.1 600 Odd"), BAD_STATUS_LINE, null, 0);
        response("status 099", get, head("HTTP/1.1 099 Odd"), BAD_STATUS_LINE, null, 0);
        response("HTTP/2 status line", get, head("HTTP/2 200 OK"), BAD_STATUS_LINE, null, 0);
        response("status line with a control byte", get, head("HTTP/1.1 200 O\u0001K"), BAD_STATUS_LINE, null, 0);
        response("response obs-fold", get, head("HTTP/1.1 200 OK", "X: a", " b"), OBS_FOLD, null, 0);
    }

    static Stream<Vector> vectors() {
        return VECTORS.stream();
    }

    @Test
    void tableHasAtLeastSixtyVectorsCoveringEveryReason() {
        assertThat(VECTORS).hasSizeGreaterThanOrEqualTo(60);
        assertThat(VECTORS.stream().map(Vector::reason).filter(r -> r != null).distinct())
                .containsExactlyInAnyOrder(Reason.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyVectorHasItsExpectedOutcomeWholeAndCutAfterEveryByte(Vector v) {
        byte[] in = Wire.bytes(v.input());
        Wire.Outcome whole = Wire.run(in, new int[0], v.response(), v.request(), v.limits());
        Wire.Outcome bytewise = Wire.run(in, Wire.everyByte(in.length), v.response(), v.request(), v.limits());
        if (v.reason() != null) {
            assertThat(whole.reason()).as(whole.summary()).isEqualTo(v.reason());
            assertThat(v.reason().status()).isEqualTo(v.status());
        } else {
            assertThat(whole.reason()).as("rejected").isNull();
            assertThat(whole.framing()).isEqualTo(v.framing());
            assertThat(whole.bodyLength()).isEqualTo(v.bodyLength());
            assertThat(whole.complete()).as("body complete").isTrue();
            assertThat(whole.rest()).isEqualTo(v.rest());
        }
        assertThat(bytewise.summary()).isEqualTo(whole.summary());
    }
}
