package dev.lbkit.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of valid messages, and an independent (regex) oracle of what a valid request head is. */
final class Messages {
    private Messages() {
    }

    /** A message as it goes over the wire, with the head it was built from and its body length. */
    record Msg(HttpHead head, byte[] stream, int bodyLength) {
        @Override
        public String toString() {
            return new String(stream, StandardCharsets.ISO_8859_1);
        }
    }

    private static final String TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String PATH = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%";
    private static final List<String> RESERVED = List.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "expect", "te", "keep-alive");

    static Arbitrary<String> tokens(int min, int max) {
        return Arbitraries.strings().withChars(TCHAR.toCharArray()).ofMinLength(min).ofMaxLength(max);
    }

    static Arbitrary<String> fieldNames() {
        return tokens(1, 12).filter(n -> !RESERVED.contains(n.toLowerCase(Locale.ROOT)));
    }

    /** Field values: VCHAR, obs-text, inner SP and HTAB, no surrounding whitespace. */
    static Arbitrary<String> fieldValues() {
        Arbitrary<Character> vchar = Arbitraries.oneOf(Arbitraries.chars().range('!', '~'),
                Arbitraries.chars().range('\u0080', '\u00ff'));
        Arbitrary<Character> any = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, vchar), net.jqwik.api.Tuple.of(1, Arbitraries.of(' ', '\t')));
        return any.list().ofMaxSize(24).map(cs -> {
            StringBuilder sb = new StringBuilder();
            cs.forEach(sb::append);
            return sb.toString().strip().replaceAll("^[\\t ]+|[\\t ]+$", "");
        });
    }

    static Arbitrary<String> hosts() {
        Arbitrary<String> name = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-.")
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> port = Arbitraries.integers().between(0, 65535).map(p -> ":" + p).injectNull(0.5)
                .map(p -> p == null ? "" : p);
        return Combinators.combine(name, port).as(String::concat);
    }

    static Arbitrary<String> methods() {
        return Arbitraries.oneOf(Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"),
                tokens(1, 10).filter(m -> !m.equals("CONNECT") && !m.equals("HEAD")));
    }

    static Arbitrary<String> targets() {
        return Arbitraries.strings().withChars(PATH.toCharArray()).ofMaxLength(40).map(p -> "/" + p);
    }

    /** A body: 0 none, 1 Content-Length, 2 chunked; the bytes to send and the framing bytes. */
    record Body(int kind, byte[] content, List<Integer> chunkSizes, List<String> extensions,
            List<String> trailerNames, List<String> trailerValues) {
    }

    static Arbitrary<Body> bodies() {
        Arbitrary<byte[]> content = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<List<Integer>> sizes = Arbitraries.integers().between(1, 70).list().ofMaxSize(6);
        Arbitrary<List<String>> exts = Arbitraries.of("", ";a", ";a=b", " ;q=\"x y\"", ";n=\"\\\"\";m").list()
                .ofSize(8);
        Arbitrary<List<String>> tnames = fieldNames().list().ofMaxSize(3);
        Arbitrary<List<String>> tvalues = fieldValues().list().ofSize(3);
        return Combinators.combine(Arbitraries.integers().between(0, 2), content, sizes, exts, tnames, tvalues)
                .as(Body::new);
    }

    static Arbitrary<Msg> requests() {
        return requests(Arbitraries.of(HttpVersion.class), bodies());
    }

    /** HTTP/1.1 requests with a chunked body of at least one data chunk. */
    static Arbitrary<Msg> chunkedRequests() {
        return requests(Arbitraries.just(HttpVersion.HTTP_1_1), bodies().filter(b -> b.content().length > 0
                && !b.chunkSizes().isEmpty()).map(b -> new Body(2, b.content(), b.chunkSizes(), b.extensions(),
                        b.trailerNames(), b.trailerValues())));
    }

    private static Arbitrary<Msg> requests(Arbitrary<HttpVersion> versions, Arbitrary<Body> bodies) {
        Arbitrary<List<String>> names = fieldNames().list().ofMaxSize(8);
        Arbitrary<List<String>> values = fieldValues().list().ofSize(8);
        return Combinators.combine(methods(), targets(), versions, hosts(), names, values,
                bodies).as((m, t, v, host, ns, vs, body) -> {
                    HttpRequestHead h = HttpRequestHead.create(m, t, v);
                    h.add("Host", host);
                    for (int i = 0; i < ns.size(); i++) {
                        h.add(ns.get(i), vs.get(i));
                    }
                    return withBody(h, body);
                });
    }

    static Arbitrary<Msg> responses() {
        Arbitrary<List<String>> names = fieldNames().list().ofMaxSize(8);
        Arbitrary<List<String>> values = fieldValues().list().ofSize(8);
        Arbitrary<Integer> status = Arbitraries.integers().between(200, 599).filter(s -> s != 204 && s != 304);
        Arbitrary<String> reason = fieldValues();
        return Combinators.combine(status, reason, Arbitraries.of(HttpVersion.class), names, values, bodies())
                .as((s, r, v, ns, vs, body) -> {
                    HttpResponseHead h = HttpResponseHead.create(s, r, v);
                    for (int i = 0; i < ns.size(); i++) {
                        h.add(ns.get(i), vs.get(i));
                    }
                    return withBody(h, body.kind() == 0 ? new Body(1, body.content(), body.chunkSizes(),
                            body.extensions(), body.trailerNames(), body.trailerValues()) : body);
                });
    }

    private static Msg withBody(HttpHead h, Body body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int kind = body.kind() == 2 && h.version() == HttpVersion.HTTP_1_0 ? 1 : body.kind();
        if (kind == 1) {
            h.setContentLength(body.content().length);
            b.writeBytes(body.content());
        } else if (kind == 2) {
            h.setChunked();
            int i = 0;
            int off = 0;
            for (int size : body.chunkSizes()) {
                size = Math.min(size, body.content().length - off);
                if (size <= 0) {
                    break;
                }
                b.writeBytes(ascii(Integer.toHexString(size) + body.extensions().get(i++ % 8) + "\r\n"));
                b.write(body.content(), off, size);
                off += size;
                b.writeBytes(ascii("\r\n"));
            }
            b.writeBytes(ascii("0" + body.extensions().get(7) + "\r\n"));
            for (int t = 0; t < body.trailerNames().size(); t++) {
                b.writeBytes(ascii(body.trailerNames().get(t) + ": " + body.trailerValues().get(t) + "\r\n"));
            }
            b.writeBytes(ascii("\r\n"));
        }
        ByteBuffer head = h.encode();
        byte[] bodyBytes = b.toByteArray();
        byte[] stream = new byte[head.remaining() + bodyBytes.length];
        head.get(stream, 0, head.remaining());
        System.arraycopy(bodyBytes, 0, stream, stream.length - bodyBytes.length, bodyBytes.length);
        return new Msg(h, stream, bodyBytes.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Valid requests with 1..3 mutations: a byte replaced (often by a dangerous one), inserted or deleted. */
    static Arbitrary<byte[]> mutatedRequests() {
        Arbitrary<Byte> interesting = Arbitraries.oneOf(
                Arbitraries.of((byte) 0, (byte) '\r', (byte) '\n', (byte) ' ', (byte) '\t', (byte) ':',
                        (byte) ',', (byte) ';', (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) '0', (byte) 'a',
                        (byte) '-', (byte) '"'),
                Arbitraries.bytes());
        Arbitrary<int[]> ops = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 100_000)).as((op, at) -> new int[] {op, at});
        return Combinators.combine(requests(), ops.list().ofMinSize(1).ofMaxSize(3),
                interesting.list().ofSize(3)).as((m, os, bs) -> {
                    byte[] s = m.stream();
                    for (int i = 0; i < os.size(); i++) {
                        if (s.length == 0) {
                            break;
                        }
                        int at = os.get(i)[1] % s.length;
                        switch (os.get(i)[0]) {
                            case 0 -> s[at] = bs.get(i);
                            case 1 -> {
                                byte[] n = new byte[s.length + 1];
                                System.arraycopy(s, 0, n, 0, at);
                                n[at] = bs.get(i);
                                System.arraycopy(s, at, n, at + 1, s.length - at);
                                s = n;
                            }
                            default -> {
                                byte[] n = new byte[s.length - 1];
                                System.arraycopy(s, 0, n, 0, at);
                                System.arraycopy(s, at + 1, n, at, s.length - at - 1);
                                s = n;
                            }
                        }
                    }
                    return s;
                });
    }

    /** Random byte streams over an HTTP-flavoured alphabet, so that some get past the request line. */
    static Arbitrary<byte[]> noise() {
        Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of("GET ", "POST ", "/ ", "HTTP/1.1", "HTTP/1.0",
                "\r\n", "\n", "\r", "Host: a", "Content-Length: ", "Transfer-Encoding: ", "chunked", ", ", ":",
                " ", "\t", "0", "5", "\0", "\r\n\r\n", "x"), Arbitraries.strings().ofMaxLength(4));
        return piece.list().ofMaxSize(30).map(ps -> ascii(String.join("", ps).chars()
                .mapToObj(c -> String.valueOf((char) (c & 0xFF))).reduce("", String::concat)));
    }

    // ---- oracle ----

    private static final String TCHAR_RE = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
    private static final String TARGET_CHARS = "[\\x21\\x22\\x24-\\x7E]";
    private static final String HOST_RE = "(?:\\[[0-9A-Fa-f:.vV]*\\]|[A-Za-z0-9._~%!$&'()*+;=-]*)(?::[0-9]*)?";
    private static final Pattern REQUEST_LINE = Pattern.compile(
            "(" + TCHAR_RE + "+) (" + TARGET_CHARS + "+) HTTP/1\\.([0-9])");
    private static final Pattern ORIGIN = Pattern.compile("/" + TARGET_CHARS + "*");
    private static final Pattern ABSOLUTE = Pattern.compile("(?i:https?)://(?!@)([^/?@]+)([/?]"
            + TARGET_CHARS + "*)?");
    private static final Pattern HOST = Pattern.compile(HOST_RE);
    private static final Pattern FIELD_LINE = Pattern.compile(
            "(" + TCHAR_RE + "+):[ \\t]*([\\t\\x20-\\x7E\\x80-\\xFF]*)");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final java.util.Set<String> CODINGS = java.util.Set.of("chunked", "gzip", "x-gzip", "deflate",
            "compress", "x-compress");

    /** What the oracle says of a request stream's head. */
    enum Verdict { ACCEPT, REJECT, INCOMPLETE }

    /**
     * The verdict on the head at the start of {@code input} (default limits, which generated heads stay far
     * below), by the grammar and framing rules, checked with regular expressions and string operations,
     * independently of the parser.
     */
    static Verdict oracleRequestHead(byte[] input) {
        String s = new String(input, StandardCharsets.ISO_8859_1);
        int lead = 0;
        while (s.startsWith("\r\n") && lead < 4) {
            s = s.substring(2);
            lead++;
        }
        int end = s.indexOf("\r\n\r\n");
        if (s.startsWith("\r\n")) {
            return Verdict.REJECT; // a fifth empty line
        }
        if (end < 0) {
            // no complete head: rejected if a complete line is already wrong, else waiting for more
            String[] lines = s.split("\n", -1);
            for (int i = 0; i + 1 < lines.length; i++) {
                String l = lines[i];
                if (!l.endsWith("\r")) {
                    return Verdict.REJECT;
                }
                l = l.substring(0, l.length() - 1);
                boolean ok = i == 0 ? REQUEST_LINE.matcher(l).matches() && targetValid(l)
                        : FIELD_LINE.matcher(l).matches() && l.indexOf(0x7F) < 0;
                if (!ok || i > 100) {
                    return Verdict.REJECT;
                }
            }
            return Verdict.INCOMPLETE;
        }
        return requestHeadValid(s.substring(0, end)) ? Verdict.ACCEPT : Verdict.REJECT;
    }

    private static boolean requestHeadValid(String s) {
        String[] lines = s.split("\r\n", -1);
        var rl = REQUEST_LINE.matcher(lines[0]);
        if (!rl.matches()) {
            return false;
        }
        if (!targetValid(lines[0])) {
            return false;
        }
        boolean http11 = !rl.group(3).equals("0");
        return fieldsValid(lines, http11);
    }

    /** Whether the target of a request line that matches {@link #REQUEST_LINE} suits its method. */
    private static boolean targetValid(String requestLine) {
        var rl = REQUEST_LINE.matcher(requestLine);
        if (!rl.matches()) {
            return false;
        }
        String method = rl.group(1);
        String target = rl.group(2);
        if (method.equals("CONNECT")) {
            return target.matches("(?:\\[[0-9A-Fa-f:.vV]*\\]|[A-Za-z0-9._~%!$&'()*+;=-]*):[0-9]+")
                    && !target.startsWith(":");
        } else if (target.equals("*")) {
            return method.equals("OPTIONS");
        } else if (!ORIGIN.matcher(target).matches()) {
            var abs = ABSOLUTE.matcher(target);
            return abs.matches() && HOST.matcher(abs.group(1)).matches();
        }
        return true;
    }

    private static boolean fieldsValid(String[] lines, boolean http11) {
        int host = 0;
        int cl = 0;
        java.util.Set<String> lengths = new java.util.HashSet<>();
        java.util.List<String> codings = new java.util.ArrayList<>();
        if (lines.length - 1 > 100) {
            return false;
        }
        for (int i = 1; i < lines.length; i++) {
            var m = FIELD_LINE.matcher(lines[i]);
            if (!m.matches() || m.group(2).indexOf(0x7F) >= 0) {
                return false;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2).replaceAll("[ \t]+$", "");
            if (name.equals("host")) {
                host++;
                if (!HOST.matcher(value).matches()) {
                    return false;
                }
            } else if (name.equals("content-length")) {
                cl++;
                for (String v : value.split(",", -1)) {
                    v = v.strip();
                    if (!DIGITS.matcher(v).matches()) {
                        return false;
                    }
                    if (new java.math.BigInteger(v).bitLength() > 63) {
                        return false;
                    }
                    lengths.add(new java.math.BigInteger(v).toString());
                }
            } else if (name.equals("transfer-encoding")) {
                for (String v : value.split(",", -1)) {
                    codings.add(v.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (host > 1 || (host == 0 && http11) || lengths.size() > 1) {
            return false;
        }
        if (!codings.isEmpty()) {
            return http11 && cl == 0 && CODINGS.containsAll(codings)
                    && codings.indexOf("chunked") == codings.size() - 1
                    && codings.lastIndexOf("chunked") == codings.indexOf("chunked");
        }
        return true;
    }

    /** Whether {@code head} is valid as a complete request head (ending with the empty line). */
    static boolean oracleAcceptsRequestHead(byte[] head) {
        return oracleRequestHead(head) == Verdict.ACCEPT;
    }

    private static final String TOKEN_RE = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final Pattern CHUNK_LINE = Pattern.compile("([0-9A-Fa-f]+)((?:[ \\t]*;[ \\t]*" + TOKEN_RE
            + "(?:[ \\t]*=[ \\t]*(?:" + TOKEN_RE
            + "|\"(?:[\\t \\x21\\x23-\\x5B\\x5D-\\x7E\\x80-\\xFF]|\\\\[\\t \\x21-\\x7E\\x80-\\xFF])*\"))?)*)");

    /**
     * Whether {@code body} is exactly one valid chunked body (RFC 9112 section 7.1) and nothing more, decoded with
     * string operations and regular expressions, independently of the scanner.
     */
    static boolean oracleAcceptsChunked(byte[] body) {
        String s = new String(body, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (true) {
            int crlf = s.indexOf("\r\n", pos);
            if (crlf < 0) {
                return false;
            }
            var m = CHUNK_LINE.matcher(s.substring(pos, crlf));
            if (!m.matches()) {
                return false;
            }
            java.math.BigInteger size = new java.math.BigInteger(m.group(1), 16);
            if (size.bitLength() > 63) {
                return false;
            }
            pos = crlf + 2;
            if (size.signum() == 0) {
                break;
            }
            long end = pos + size.longValue();
            if (end + 2 > s.length() || !s.startsWith("\r\n", (int) end)) {
                return false;
            }
            pos = (int) end + 2;
        }
        while (true) {
            int crlf = s.indexOf("\r\n", pos);
            if (crlf < 0) {
                return false;
            }
            if (crlf == pos) {
                return crlf + 2 == s.length();
            }
            var m = FIELD_LINE.matcher(s.substring(pos, crlf));
            if (!m.matches() || m.group(2).indexOf(0x7F) >= 0) {
                return false;
            }
            pos = crlf + 2;
        }
    }

}
