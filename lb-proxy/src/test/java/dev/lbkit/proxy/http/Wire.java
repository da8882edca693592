package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** Test helper: feeds a byte stream, cut into pieces, through a parser and a body scanner as a proxy would. */
final class Wire {
    private Wire() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Lines joined with CRLF, plus the CRLF ending the head. */
    static String head(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** What happened to one message: rejected with a reason, or accepted with its framing and body. */
    record Outcome(HttpCodecException.Reason reason, HttpHead head, BodyFraming framing, long bodyLength,
            boolean complete, int rest) {
        static Outcome rejected(HttpCodecException.Reason reason) {
            return new Outcome(reason, null, null, -1, false, -1);
        }

        /** Equality without the head object (compared through its encoding). */
        String summary() {
            if (reason != null) {
                return "rejected " + reason;
            }
            return "accepted " + framing + " body=" + bodyLength + " complete=" + complete + " rest=" + rest
                    + " head=" + head;
        }
    }

    /**
     * Parses one message (a request, or a response to {@code request} when {@code response}) from {@code input}
     * cut at the given offsets (sorted, within the input), then follows its body; the input ending counts as the
     * peer closing.
     */
    static Outcome run(byte[] input, int[] cuts, boolean response, HttpRequestHead request, HttpLimits limits) {
        int[] bounds = bounds(input.length, cuts);
        HttpRequestParser rp = new HttpRequestParser(limits);
        HttpResponseParser sp = new HttpResponseParser(limits);
        HttpHead head = null;
        HttpBodyScanner body = null;
        long bodyLength = 0;
        int rest = 0;
        // a proxy-like read buffer: bytes arrive into it, the parser consumes from it
        ByteBuffer buf = ByteBuffer.allocateDirect(input.length + 16);
        try {
            for (int k = 0; k + 1 < bounds.length; k++) {
                buf.put(input, bounds[k], bounds[k + 1] - bounds[k]);
                buf.flip();
                if (head == null) {
                    head = response ? sp.parse(buf, request) : rp.parse(buf);
                    if (head != null) {
                        body = HttpBodyScanner.forMessage(head, limits);
                    }
                }
                if (body != null && !body.isComplete()) {
                    int n = body.scan(buf);
                    bodyLength += n;
                    buf.position(buf.position() + n);
                }
                if (body != null && body.isComplete()) {
                    rest += buf.remaining();
                    buf.position(buf.limit());
                }
                buf.compact();
            }
        } catch (HttpCodecException e) {
            Objects.requireNonNull(e.reason());
            return Outcome.rejected(e.reason());
        }
        if (head == null) {
            return new Outcome(null, null, null, -1, false, -1);
        }
        boolean complete = body.endOfInput();
        return new Outcome(null, head, head.framing(), bodyLength, complete, rest);
    }

    /**
     * Parses requests one after another from {@code input} cut at the given offsets, following each body, as a
     * proxy reading a pipelined connection would; returns one summary per message (a rejection ends the list).
     */
    static java.util.List<String> runAll(byte[] input, int[] cuts, HttpLimits limits) {
        int[] bounds = bounds(input.length, cuts);
        java.util.List<String> out = new java.util.ArrayList<>();
        HttpRequestParser rp = new HttpRequestParser(limits);
        HttpBodyScanner body = HttpBodyScanner.of(BodyFraming.NONE, -1, limits);
        HttpHead head = null;
        long bodyLength = 0;
        ByteBuffer buf = ByteBuffer.allocate(input.length + 16);
        try {
            for (int k = 0; k + 1 < bounds.length; k++) {
                buf.put(input, bounds[k], bounds[k + 1] - bounds[k]);
                buf.flip();
                while (buf.hasRemaining()) {
                    if (head == null) {
                        head = rp.parse(buf);
                        if (head == null) {
                            break;
                        }
                        body.reset(head);
                        bodyLength = 0;
                    }
                    int n = body.scan(buf);
                    bodyLength += n;
                    buf.position(buf.position() + n);
                    if (!body.isComplete()) {
                        break;
                    }
                    out.add(head.framing() + " body=" + bodyLength + " " + head);
                    head = null;
                }
                buf.compact();
            }
            if (head != null && body.isComplete()) {
                out.add(head.framing() + " body=" + bodyLength + " " + head);
            }
        } catch (HttpCodecException e) {
            out.add("rejected " + e.reason());
        }
        return out;
    }

    static int[] bounds(int length, int[] cuts) {
        int[] c = cuts.clone();
        Arrays.sort(c);
        int[] b = new int[c.length + 2];
        b[0] = 0;
        int n = 1;
        for (int x : c) {
            if (x > b[n - 1] && x < length) {
                b[n++] = x;
            }
        }
        b[n++] = length;
        return Arrays.copyOf(b, n);
    }

    static int[] everyByte(int length) {
        int[] c = new int[Math.max(0, length - 1)];
        for (int i = 0; i < c.length; i++) {
            c[i] = i + 1;
        }
        return c;
    }
}
