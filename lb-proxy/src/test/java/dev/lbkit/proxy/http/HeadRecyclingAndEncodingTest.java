package dev.lbkit.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Two things the proxy does per request to save work: it gives each head's storage back to its parser
 * ({@code recycle}) so that the next head allocates nothing, and the encoder copies runs of field lines that are
 * stored exactly as written in one go. Neither may change a single byte of what is parsed or written: checked
 * against a field-by-field reference over generated heads, received with any whitespace and edited at random.
 */
class HeadRecyclingAndEncodingTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults();
    private static final String[] SEPARATORS = {": ", ":", ":  ", ":\t", ": \t "};
    private static final String[] TRAILING = {"", "", "", " ", "\t", " \t"};

    /** An edit: 0 remove, 1 setValue, 2 add, 3 insert, 4 set by name, 5 removeHopByHop; on field index % count. */
    record Edit(int kind, int index, String name, String value) {
        void apply(HttpHead h) {
            int n = h.fieldCount();
            switch (kind) {
                case 0 -> {
                    if (n > 0 && !HttpHead.isFraming(h.name(index % n))) {
                        h.removeAt(index % n);
                    }
                }
                case 1 -> {
                    if (n > 0 && !HttpHead.isFraming(h.name(index % n))) {
                        h.setValue(index % n, value);
                    }
                }
                case 2 -> h.add(name, value);
                case 3 -> h.insert(index % (n + 1), name, value);
                case 4 -> h.set(n > 0 && !HttpHead.isFraming(h.name(index % n)) ? h.name(index % n) : name, value);
                default -> h.removeHopByHop(index % 2 == 0);
            }
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 50),
                Messages.fieldNames(), Messages.fieldValues()).as(Edit::new).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Messages.Msg> requests() {
        return Messages.requests();
    }

    @Provide
    Arbitrary<Messages.Msg> responses() {
        return Messages.responses();
    }

    /** The head as received, its field lines written with the whitespace variants {@code ws} picks. */
    private static byte[] withWhitespace(Messages.Msg m, List<Integer> ws) {
        String text = new String(m.stream(), StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n") + 4;
        String[] lines = text.substring(0, headEnd - 4).split("\r\n", -1);
        StringBuilder b = new StringBuilder(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(": ");
            int w = ws.isEmpty() ? 0 : ws.get(i % ws.size());
            b.append(lines[i], 0, colon).append(SEPARATORS[w % SEPARATORS.length]).append(lines[i].substring(colon + 2))
                    .append(TRAILING[(w / 5) % TRAILING.length]).append("\r\n");
        }
        b.append("\r\n").append(text.substring(headEnd));
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What the encoder must write: the start line, then {@code name ": " value CRLF} per field, then CRLF. */
    private static String reference(HttpHead h) {
        StringBuilder b = new StringBuilder();
        if (h instanceof HttpRequestHead r) {
            b.append(r.methodName()).append(' ').append(r.target()).append(' ').append(r.version().text());
        } else {
            HttpResponseHead r = (HttpResponseHead) h;
            b.append(r.version().text()).append(' ').append(r.status()).append(' ').append(r.reason());
        }
        b.append("\r\n");
        for (int i = 0; i < h.fieldCount(); i++) {
            b.append(h.name(i)).append(": ").append(h.value(i)).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static String encodedDirect(HttpHead h) {
        ByteBuffer d = ByteBuffer.allocateDirect(h.encodedLength() + 7);
        d.put((byte) 'x'); // not at position 0
        assertThat(h.encodeTo(d)).isTrue();
        d.flip().get();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static String encodedHeap(HttpHead h) {
        ByteBuffer b = ByteBuffer.allocate(h.encodedLength() + 3);
        b.put((byte) 'y');
        assertThat(h.encodeTo(b)).isTrue();
        assertThat(b.position()).isEqualTo(h.encodedLength() + 1);
        return new String(b.array(), 1, h.encodedLength(), StandardCharsets.ISO_8859_1);
    }

    private static void checkEncoding(HttpHead h) {
        String expected = reference(h);
        assertThat(h.encodedLength()).isEqualTo(expected.length());
        assertThat(encodedHeap(h)).isEqualTo(expected);
        assertThat(encodedDirect(h)).as("a direct buffer, and a second encoding of the same head")
                .isEqualTo(expected);
        assertThat(h.toString()).isEqualTo(expected);
    }

    @Property(tries = 500)
    void editedRequestsEncodeExactlyAsTheirFieldsSayInHeapAndDirectBuffers(@ForAll("requests") Messages.Msg m,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 29) Integer> whitespace,
            @ForAll("edits") List<Edit> edits) throws HttpCodecException {
        HttpRequestHead h = new HttpRequestParser(LIMITS).parse(ByteBuffer.wrap(withWhitespace(m, whitespace)));
        assertThat(h).isNotNull();
        checkEncoding(h);
        for (Edit e : edits) {
            e.apply(h);
            checkEncoding(h);
        }
    }

    @Property(tries = 300)
    void editedResponsesEncodeExactlyAsTheirFieldsSayInHeapAndDirectBuffers(@ForAll("responses") Messages.Msg m,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 29) Integer> whitespace,
            @ForAll("edits") List<Edit> edits) throws HttpCodecException {
        HttpResponseHead h = new HttpResponseParser(LIMITS).parse(ByteBuffer.wrap(withWhitespace(m, whitespace)),
                null);
        assertThat(h).isNotNull();
        checkEncoding(h);
        for (Edit e : edits) {
            e.apply(h);
            checkEncoding(h);
        }
    }

    @Property(tries = 300)
    void recyclingEachHeadAfterUseNeverChangesWhatTheNextOnesAre(
            @ForAll @Size(min = 1, max = 5) List<Messages.@net.jqwik.api.From("requests") Msg> messages,
            @ForAll("edits") List<Edit> edits,
            @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 2000) Integer> cuts) throws HttpCodecException {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (Messages.Msg m : messages) {
            stream.writeBytes(m.stream());
        }
        byte[] all = stream.toByteArray();
        List<String> fresh = readAll(all, new int[0], edits, false);
        int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
        assertThat(readAll(all, c, edits, true)).containsExactlyElementsOf(fresh);
        assertThat(fresh).hasSize(messages.size());
    }

    /** Parses every head of a pipelined stream (bodies skipped), edits and encodes each, recycling if asked. */
    private static List<String> readAll(byte[] all, int[] cuts, List<Edit> edits, boolean recycle)
            throws HttpCodecException {
        HttpRequestParser parser = new HttpRequestParser(LIMITS);
        HttpBodyScanner body = null;
        List<String> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocate(all.length).flip(); // empty, read mode
        int fed = 0;
        int cut = 0;
        HttpRequestHead h = null;
        while (true) {
            int next = cut < cuts.length ? Math.min(all.length, fed + cuts[cut++]) : all.length;
            in.compact();
            in.put(all, fed, next - fed);
            in.flip();
            fed = next;
            while (in.hasRemaining()) {
                if (body == null || body.isComplete()) {
                    h = parser.parse(in);
                    if (h == null) {
                        break;
                    }
                    body = HttpBodyScanner.forMessage(h, LIMITS);
                    for (Edit e : edits) {
                        e.apply(h);
                    }
                    out.add(h.framing() + " " + h.contentLength() + " " + h.toString());
                } else {
                    in.position(in.position() + body.scan(in));
                }
                if (body.isComplete() && recycle && h != null) {
                    parser.recycle(h);
                    h = null;
                }
            }
            if (fed == all.length) {
                return out;
            }
        }
    }

    @Test
    void aRecycledHeadIsEmptiedAndItsStorageBacksTheNextHead() throws HttpCodecException {
        HttpResponseParser p = new HttpResponseParser(LIMITS);
        ByteBuffer in = ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nServer: a\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-B: b\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponseHead first = p.parse(in, null);
        byte[] storage = first.data;
        p.recycle(first);
        assertThat(first.fieldCount()).isZero();
        assertThatThrownBy(() -> first.name(0)).isInstanceOf(IndexOutOfBoundsException.class);
        p.recycle(first); // twice: ignored
        HttpResponseHead second = p.parse(in, null);
        assertThat(second.data).as("the storage of the first head").isSameAs(storage);
        assertThat(second.toString()).isEqualTo("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-B: b\r\n\r\n");
        assertThat(second.status()).isEqualTo(404);
        HttpResponseHead built = HttpResponseHead.create(200, "OK", HttpVersion.HTTP_1_1);
        p.recycle(built); // a head the parser did not make is taken too: only its arrays are reused
        assertThat(built.fieldCount()).isZero();
    }
}
