package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthCheck.StatusRange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An HTTP/1.0 check: sends {@code METHOD path HTTP/1.0} with Host, User-Agent and {@code Connection: close},
 * then judges the status line, and only when asked a header (needs the header block) and the body (read until
 * the server closes, Content-Length is reached or 64 KiB). Decides as early as it can: with neither header nor
 * body to match, the status line is enough.
 */
final class HttpConversation extends Conversation {
    /** "HTTP 200" ... made once: a check that passes allocates no text. */
    private static final String[] VERDICTS = new String[600];

    static {
        for (int i = 100; i < 600; i++) {
            VERDICTS[i] = "HTTP " + i;
        }
    }

    private final HealthCheck.Http check;
    private final byte[] request;
    private final Pattern body;
    private final Pattern headerValue;
    private int status = -1;
    private int headerEnd = -1;
    private String verdict;

    /** What a probe prepares once for all its HTTP attempts: the request bytes and the compiled patterns. */
    record Prepared(HealthCheck.Http check, byte[] request, Pattern body, Pattern headerValue) {
        static Prepared of(HealthCheck.Http check, ProbeKey key) {
            return new Prepared(check, HttpConversation.request(check, key), check.bodyRegex().map(Pattern::compile).orElse(null),
                    check.header().map(h -> Pattern.compile(h.valueRegex())).orElse(null));
        }
    }

    HttpConversation(Prepared p) {
        this.check = p.check();
        this.request = p.request();
        this.body = p.body();
        this.headerValue = p.headerValue();
    }

    /** The request bytes for this check against this target; built once per probe. */
    static byte[] request(HealthCheck.Http check, ProbeKey key) {
        String host = check.host().orElseGet(() -> {
            String a = key.address().getHostAddress();
            if (a.indexOf(':') >= 0) {
                a = "[" + a + "]";
            }
            int defaultPort = check.tls() ? 443 : 80;
            return key.port() == defaultPort ? a : a + ":" + key.port();
        });
        String r = check.method() + " " + check.path() + " HTTP/1.0\r\nHost: " + host
                + "\r\nUser-Agent: lbkit-health\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        return r.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    boolean clientSpeaksFirst() {
        return true;
    }

    @Override
    void onConnected() {
        attempt.send(request);
    }

    @Override
    String phase() {
        return status < 0 ? "waiting for the HTTP status line" : "reading the HTTP response";
    }

    @Override
    void onData(ByteBuffer b, boolean eof) {
        if (status < 0) {
            int lineEnd = indexOf(b, (byte) '\n', 0);
            if (lineEnd < 0) {
                if (eof || b.remaining() >= 1024 || (b.remaining() >= 5 && !startsWithHttp(b))) {
                    attempt.fail(b.remaining() == 0 ? "connection closed without an HTTP response"
                            : "invalid HTTP response: '" + snippet(b) + "'");
                }
                return;
            }
            status = parseStatus(b, lineEnd);
            if (status < 0) {
                attempt.fail("invalid HTTP status line: '" + snippet(b) + "'");
                return;
            }
            boolean expected = false;
            for (StatusRange r : check.expectedStatus()) {
                expected |= r.contains(status);
            }
            if (!expected) {
                attempt.fail("HTTP " + status + " (expected " + check.expectedStatus() + ")");
                return;
            }
            verdict = VERDICTS[status];
            if (headerValue == null && body == null) {
                attempt.succeed(verdict);
                return;
            }
        }
        if (headerEnd < 0) {
            headerEnd = headerEnd(b);
            if (headerEnd < 0) {
                if (eof || b.remaining() >= MAX_RECEIVED) {
                    attempt.fail(verdict + " but the headers did not end");
                }
                return;
            }
            if (headerValue != null && !headerMatches(b)) {
                HealthCheck.HeaderMatch h = check.header().get();
                attempt.fail(verdict + " but header " + h.name() + " did not match '" + h.valueRegex() + "'");
                return;
            }
            if (body == null) {
                attempt.succeed(verdict);
                return;
            }
        }
        int bodyLength = b.remaining() - headerEnd;
        long contentLength = contentLength(b);
        boolean complete = eof || b.remaining() >= MAX_RECEIVED
                || (contentLength >= 0 && bodyLength >= contentLength);
        if (!complete) {
            return;
        }
        String text = latin1(b.duplicate().position(b.position() + headerEnd));
        if (body.matcher(text).find()) {
            attempt.succeed(verdict + ", body matched");
        } else {
            attempt.fail(verdict + " but the body did not match '" + body.pattern() + "'");
        }
    }

    private static boolean startsWithHttp(ByteBuffer b) {
        return b.get(b.position()) == 'H' && b.get(b.position() + 1) == 'T' && b.get(b.position() + 2) == 'T'
                && b.get(b.position() + 3) == 'P' && b.get(b.position() + 4) == '/';
    }

    /** {@code HTTP/1.x NNN ...}: the status, or -1. */
    private static int parseStatus(ByteBuffer b, int lineEnd) {
        int p = b.position();
        if (lineEnd < 12 || !startsWithHttp(b) || b.get(p + 5) != '1' || b.get(p + 6) != '.'
                || b.get(p + 8) != ' ') {
            return -1;
        }
        int s = 0;
        for (int i = 9; i < 12; i++) {
            int c = b.get(p + i);
            if (c < '0' || c > '9') {
                return -1;
            }
            s = s * 10 + (c - '0');
        }
        int after = b.get(p + 12);
        if (after != ' ' && after != '\r' && after != '\n') {
            return -1;
        }
        return s >= 100 && s <= 599 ? s : -1;
    }

    /** Offset after the blank line that ends the header block, relative to the position; -1 if not yet. */
    private static int headerEnd(ByteBuffer b) {
        for (int i = b.position(); i < b.limit() - 1; i++) {
            if (b.get(i) == '\n' && (b.get(i + 1) == '\n'
                    || (b.get(i + 1) == '\r' && i + 2 < b.limit() && b.get(i + 2) == '\n'))) {
                return i - b.position() + (b.get(i + 1) == '\n' ? 2 : 3);
            }
        }
        return -1;
    }

    private boolean headerMatches(ByteBuffer b) {
        String name = check.header().get().name().toLowerCase(Locale.ROOT);
        for (String line : headerLines(b)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)
                    && headerValue.matcher(line.substring(colon + 1).trim()).find()) {
                return true;
            }
        }
        return false;
    }

    private long contentLength(ByteBuffer b) {
        for (String line : headerLines(b)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                try {
                    return Long.parseLong(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private String[] headerLines(ByteBuffer b) {
        String head = latin1(b.duplicate().limit(b.position() + headerEnd));
        return head.split("\r?\n");
    }

    private static int indexOf(ByteBuffer b, byte c, int from) {
        for (int i = b.position() + from; i < b.limit(); i++) {
            if (b.get(i) == c) {
                return i - b.position();
            }
        }
        return -1;
    }
}
