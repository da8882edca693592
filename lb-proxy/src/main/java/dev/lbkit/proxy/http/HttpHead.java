package dev.lbkit.proxy.http;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The head of an HTTP/1.1 message: start line and header fields, editable, and serialisable into a
 * {@link ByteBuffer}. A {@link HttpRequestHead} or a {@link HttpResponseHead}.
 *
 * <h2>Storage</h2>
 * A parsed head keeps one compact copy of its bytes (one {@code byte[]} the size of the head) and an {@code int[]}
 * of offsets: names and values are never turned into strings unless asked for. Lookups compare bytes without
 * allocating. Edits append the new bytes to the same array and adjust offsets; removing a field shifts four ints.
 *
 * <h2>Fields</h2>
 * Fields keep their order and the case of their names as received; lookups by name ignore ASCII case. A field is
 * addressed by its index, 0..{@link #fieldCount()}-1, in wire order; an edit may shift the indexes of the fields
 * after it. Values are stored without the optional whitespace around them, and serialised as
 * {@code name ": " value CRLF}.
 *
 * <h2>Facts decided by the parser</h2>
 * {@link #framing()}, {@link #contentLength()} and {@link #isKeepAlive()} (and the request's
 * {@link HttpRequestHead#expectsContinue()}, {@link HttpRequestHead#isUpgrade()}) are decided once, when the head is
 * parsed (or created), from the fields as received. Later edits do not change them: the proxy removes
 * {@code Connection} before forwarding but still needs to know whether the client wants to keep the connection.
 * Editing {@code Content-Length} or {@code Transfer-Encoding} of a parsed head is therefore refused.
 *
 * <p>Not thread-safe: a head belongs to the connection that parsed it.
 */
public abstract sealed class HttpHead permits HttpRequestHead, HttpResponseHead {
    /** The bytes: a copy of the parsed head, then the bytes of edits. */
    byte[] data;
    int dataLength;
    /** Four ints per field: name offset, name length, value offset, value length. */
    int[] fields;
    int fieldCount;

    HttpVersion version;
    BodyFraming framing = BodyFraming.NONE;
    long contentLength = -1;
    boolean keepAlive;

    HttpHead(byte[] data, int dataLength, int[] fields, int fieldCount, HttpVersion version) {
        this.data = data;
        this.dataLength = dataLength;
        this.fields = fields;
        this.fieldCount = fieldCount;
        this.version = version;
    }

    // ---- version and parse-time facts ----

    /** The HTTP version of the start line; serialised as is. */
    public HttpVersion version() {
        return version;
    }

    /** Sets the version written by {@link #encodeTo(ByteBuffer)}; changes none of the parse-time facts. */
    public void setVersion(HttpVersion version) {
        if (version == null) {
            throw new NullPointerException("version");
        }
        this.version = version;
    }

    /** How the body that follows this head ends (RFC 9112 section 6.3), as decided at parse time. */
    public BodyFraming framing() {
        return framing;
    }

    /** The Content-Length when {@link #framing()} is {@link BodyFraming#CONTENT_LENGTH}, else -1. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * Whether the sender lets the connection persist after this message (RFC 9112 section 9.3): HTTP/1.1 unless
     * {@code Connection} lists {@code close}; HTTP/1.0 only when {@code Connection} lists {@code keep-alive}
     * (and not close). For a response, also false when the body runs {@linkplain BodyFraming#UNTIL_CLOSE until
     * close}. The client connection may be kept after an exchange only when both the request and the response
     * say so.
     */
    public boolean isKeepAlive() {
        return keepAlive;
    }

    // ---- fields: read ----

    /** The number of header fields. */
    public int fieldCount() {
        return fieldCount;
    }

    /** The name of field {@code index}, in its original case. */
    public String name(int index) {
        checkIndex(index);
        return Ascii.string(data, fields[index * 4], fields[index * 4 + 1]);
    }

    /** The value of field {@code index}, without surrounding whitespace, bytes as ISO-8859-1 characters. */
    public String value(int index) {
        checkIndex(index);
        return Ascii.string(data, fields[index * 4 + 2], fields[index * 4 + 3]);
    }

    /** Whether field {@code index} is named {@code name}, ignoring ASCII case; allocates nothing. */
    public boolean nameEquals(int index, String name) {
        checkIndex(index);
        return Ascii.equalsIgnoreCase(data, fields[index * 4], fields[index * 4 + 1], name);
    }

    /** Whether the value of field {@code index} equals {@code value}, ignoring ASCII case; allocates nothing. */
    public boolean valueEqualsIgnoreCase(int index, String value) {
        checkIndex(index);
        return Ascii.equalsIgnoreCase(data, fields[index * 4 + 2], fields[index * 4 + 3], value);
    }

    /** The index of the first field named {@code name} (ignoring case), or -1. */
    public int indexOf(String name) {
        return indexOf(name, 0);
    }

    /** The index of the first field named {@code name} (ignoring case) at or after {@code from}, or -1. */
    public int indexOf(String name, int from) {
        int n = name.length();
        for (int i = Math.max(0, from); i < fieldCount; i++) {
            if (fields[i * 4 + 1] == n && Ascii.equalsIgnoreCase(data, fields[i * 4], n, name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a field named {@code name} is present. */
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    /** The value of the first field named {@code name}, or null. */
    public String get(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i);
    }

    /** The values of all fields named {@code name}, in order; empty when there is none. */
    public List<String> getAll(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            values.add(value(i));
        }
        return values;
    }

    /**
     * Whether any field named {@code name} has {@code token} as a member of its comma-separated list, ignoring
     * case and whitespace, e.g. {@code hasToken("Connection", "close")}; allocates nothing.
     */
    public boolean hasToken(String name, String token) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (Ascii.listContains(data, fields[i * 4 + 2], fields[i * 4 + 3], token)) {
                return true;
            }
        }
        return false;
    }

    // ---- fields: edit ----

    /**
     * Appends a field after the last one.
     *
     * @throws IllegalArgumentException when the name is not a token or the value has a control character (other
     *     than tab), CR, LF or a character above U+00FF, or leading/trailing whitespace; the message names both
     */
    public void add(String name, String value) {
        insert(fieldCount, name, value);
    }

    /** Inserts a field at {@code index} (0..{@link #fieldCount()}), shifting later fields; checks as
     *  {@link #add}. */
    public void insert(int index, String name, String value) {
        if (index < 0 || index > fieldCount) {
            throw new IndexOutOfBoundsException("field index " + index + " of " + fieldCount);
        }
        checkName(name);
        checkValue(name, value);
        checkNotFraming(name);
        if ((fieldCount + 1) * 4 > fields.length) {
            fields = Arrays.copyOf(fields, Math.max(16, fields.length * 2));
        }
        System.arraycopy(fields, index * 4, fields, index * 4 + 4, (fieldCount - index) * 4);
        fieldCount++;
        int nameOff = append(name);
        int valueOff = append(value);
        fields[index * 4] = nameOff;
        fields[index * 4 + 1] = name.length();
        fields[index * 4 + 2] = valueOff;
        fields[index * 4 + 3] = value.length();
    }

    /** Replaces the value of field {@code index}; checks as {@link #add}. */
    public void setValue(int index, String value) {
        checkIndex(index);
        if (!validValue(value) || framingAt(index)) {
            String name = name(index); // only now: the common case allocates nothing
            checkValue(name, value);
            checkNotFraming(name);
        }
        fields[index * 4 + 2] = append(value);
        fields[index * 4 + 3] = value.length();
    }

    /**
     * Sets the field {@code name} to a single {@code value}: the first field of that name gets the value (keeping
     * its place and the case of its name), later ones are removed; appended when there is none.
     */
    public void set(String name, String value) {
        int i = indexOf(name, 0);
        if (i < 0) {
            add(name, value);
            return;
        }
        setValue(i, value);
        for (int j = indexOf(name, i + 1); j >= 0; j = indexOf(name, j)) {
            removeAt(j);
        }
    }

    /** Removes field {@code index}; later fields move down by one. */
    public void removeAt(int index) {
        checkIndex(index);
        if (framingAt(index)) {
            checkNotFraming(name(index));
        }
        System.arraycopy(fields, index * 4 + 4, fields, index * 4, (fieldCount - index - 1) * 4);
        fieldCount--;
    }

    /** Removes every field named {@code name}; returns how many. */
    public int remove(String name) {
        int removed = 0;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i)) {
            removeAt(i);
            removed++;
        }
        return removed;
    }

    /**
     * Removes the hop-by-hop fields a proxy must not forward (RFC 9110 section 7.6.1): {@code Connection}, every
     * field it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE} and {@code Upgrade}. Fields that
     * frame the message ({@code Content-Length}, {@code Transfer-Encoding}) and {@code Host} are never removed,
     * even when {@code Connection} names them, because the body is passed through as framed.
     *
     * <p>With {@code keepUpgrade} and an {@code Upgrade} field present, {@code Upgrade} stays and a single
     * {@code Connection: upgrade} is left, as a proxy forwarding a WebSocket handshake needs.
     *
     * @return the number of fields removed
     */
    public int removeHopByHop(boolean keepUpgrade) {
        boolean hasUpgrade = false;
        List<String> named = null;
        for (int i = 0; i < fieldCount; i++) {
            int no = fields[i * 4];
            int nl = fields[i * 4 + 1];
            if (nl == 7 && Ascii.equalsIgnoreCase(data, no, nl, "upgrade")) {
                hasUpgrade = true;
            } else if (nl == 10 && Ascii.equalsIgnoreCase(data, no, nl, "connection")) {
                named = connectionTokens(i, named);
            }
        }
        boolean upgrade = keepUpgrade && hasUpgrade;
        int w = 0;
        for (int r = 0; r < fieldCount; r++) {
            if (isHopByHop(r, upgrade, named)) {
                continue;
            }
            if (w != r) {
                System.arraycopy(fields, r * 4, fields, w * 4, 4);
            }
            w++;
        }
        int removed = fieldCount - w;
        fieldCount = w;
        if (upgrade) {
            appendField("Connection", "upgrade");
        }
        return removed;
    }

    /** Adds the names listed in Connection field {@code c} that are not hop-by-hop anyway, nor protected. */
    private List<String> connectionTokens(int c, List<String> named) {
        int end = fields[c * 4 + 2] + fields[c * 4 + 3];
        int i = fields[c * 4 + 2];
        while (i < end) {
            while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == ',')) {
                i++;
            }
            int s = i;
            while (i < end && data[i] != ',' && data[i] != ' ' && data[i] != '\t') {
                i++;
            }
            int n = i - s;
            if (n == 0 || Ascii.equalsIgnoreCase(data, s, n, "close") || Ascii.equalsIgnoreCase(data, s, n, "keep-alive")
                    || Ascii.equalsIgnoreCase(data, s, n, "upgrade") || Ascii.equalsIgnoreCase(data, s, n, "host")
                    || Ascii.equalsIgnoreCase(data, s, n, "content-length")
                    || Ascii.equalsIgnoreCase(data, s, n, "transfer-encoding")) {
                continue;
            }
            if (named == null) {
                named = new ArrayList<>(2);
            }
            named.add(Ascii.string(data, s, n));
        }
        return named;
    }

    private boolean isHopByHop(int i, boolean keepUpgrade, List<String> named) {
        int no = fields[i * 4];
        int nl = fields[i * 4 + 1];
        switch (nl) {
            case 2:
                if (Ascii.equalsIgnoreCase(data, no, nl, "te")) {
                    return true;
                }
                break;
            case 7:
                if (!keepUpgrade && Ascii.equalsIgnoreCase(data, no, nl, "upgrade")) {
                    return true;
                }
                break;
            case 10:
                if (Ascii.equalsIgnoreCase(data, no, nl, "connection")
                        || Ascii.equalsIgnoreCase(data, no, nl, "keep-alive")) {
                    return true;
                }
                break;
            case 16:
                if (Ascii.equalsIgnoreCase(data, no, nl, "proxy-connection")) {
                    return true;
                }
                break;
            default:
                break;
        }
        if (named != null) {
            for (String n : named) {
                if (n.length() == nl && Ascii.equalsIgnoreCase(data, no, nl, n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Frames the body that will follow this head with a Content-Length: removes {@code Transfer-Encoding} and
     * {@code Content-Length}, appends {@code Content-Length: length}, and makes {@link #framing()}
     * {@link BodyFraming#CONTENT_LENGTH}. For heads the proxy writes itself (error pages) or whose body it
     * replaces.
     */
    public void setContentLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("Content-Length must be >= 0 but was " + length);
        }
        removeFraming();
        appendField("Content-Length", Long.toString(length));
        framing = BodyFraming.CONTENT_LENGTH;
        contentLength = length;
    }

    /** Frames the body that will follow this head as chunked: removes {@code Content-Length} and
     *  {@code Transfer-Encoding}, appends {@code Transfer-Encoding: chunked}, makes {@link #framing()}
     *  {@link BodyFraming#CHUNKED}. Only for HTTP/1.1 heads.
     *  @throws IllegalStateException for an HTTP/1.0 head */
    public void setChunked() {
        if (version != HttpVersion.HTTP_1_1) {
            throw new IllegalStateException("chunked framing needs HTTP/1.1 but the head is " + version);
        }
        removeFraming();
        appendField("Transfer-Encoding", "chunked");
        framing = BodyFraming.CHUNKED;
        contentLength = -1;
    }

    private void removeFraming() {
        for (int i = fieldCount - 1; i >= 0; i--) {
            if (nameEquals(i, "Content-Length") || nameEquals(i, "Transfer-Encoding")) {
                System.arraycopy(fields, i * 4 + 4, fields, i * 4, (fieldCount - i - 1) * 4);
                fieldCount--;
            }
        }
    }

    /** Appends a field without the framing check; name and value are known good. */
    final void appendField(String name, String value) {
        if ((fieldCount + 1) * 4 > fields.length) {
            fields = Arrays.copyOf(fields, Math.max(16, fields.length * 2));
        }
        int f = fieldCount * 4;
        fields[f] = append(name);
        fields[f + 1] = name.length();
        fields[f + 2] = append(value);
        fields[f + 3] = value.length();
        fieldCount++;
    }

    // ---- serialisation ----

    /** The number of bytes {@link #encodeTo(ByteBuffer)} writes. */
    public int encodedLength() {
        int n = startLineLength() + 4;
        for (int i = 0; i < fieldCount; i++) {
            n += fields[i * 4 + 1] + 2 + fields[i * 4 + 3] + 2;
        }
        return n;
    }

    /**
     * Writes the head: start line, {@code name ": " value CRLF} per field, CRLF. Writes all of it or nothing.
     *
     * @return false, writing nothing, when {@code out} has fewer than {@link #encodedLength()} bytes remaining
     */
    public boolean encodeTo(ByteBuffer out) {
        int n = encodedLength();
        if (out.remaining() < n) {
            return false;
        }
        if (out.hasArray()) {
            int p = out.position();
            encode(out.array(), out.arrayOffset() + p);
            out.position(p + n);
        } else {
            // a direct buffer (the proxy's): encode behind the head's own bytes, then copy once; the storage of a
            // recycled head keeps that room, so that steady state allocates nothing
            int at = dataLength;
            if (at + n > data.length) {
                data = Arrays.copyOf(data, Math.max(at + n, data.length * 2));
            }
            encode(data, at);
            out.put(data, at, n);
        }
        return true;
    }

    /** Writes the whole head into {@code a} from {@code p}, which has room for it. */
    private void encode(byte[] a, int p) {
        p = writeStartLine(a, p);
        a[p++] = '\r';
        a[p++] = '\n';
        byte[] d = data;
        int[] f = fields;
        int n = fieldCount * 4;
        int i = 0;
        while (i < n) {
            int end = verbatimEnd(d, f, i);
            if (end < 0) {
                System.arraycopy(d, f[i], a, p, f[i + 1]);
                p += f[i + 1];
                a[p++] = ':';
                a[p++] = ' ';
                System.arraycopy(d, f[i + 2], a, p, f[i + 3]);
                p += f[i + 3];
                a[p++] = '\r';
                a[p++] = '\n';
                i += 4;
                continue;
            }
            // a run of field lines that are stored exactly as they are written, one after the other, as most of a
            // parsed head is: copied in one go (what the proxy does not edit goes out as it came)
            int start = f[i];
            i += 4;
            while (i < n && f[i] == end && (end = verbatimEnd(d, f, i)) >= 0) {
                i += 4;
            }
            if (end < 0) { // the run ended at a field that is not verbatim: it starts where the run ends
                end = f[i];
            }
            System.arraycopy(d, start, a, p, end - start);
            p += end - start;
        }
        a[p++] = '\r';
        a[p] = '\n';
    }

    /**
     * Where the line of field {@code i} (index into {@code f}) ends, CRLF included, when its stored bytes are
     * exactly {@code name ": " value CRLF}, as the encoder writes it; -1 otherwise (edited fields, whose names and
     * values were appended apart, and received lines with other whitespace).
     */
    private int verbatimEnd(byte[] d, int[] f, int i) {
        int colon = f[i] + f[i + 1];
        int valueEnd = f[i + 2] + f[i + 3];
        if (f[i + 2] != colon + 2 || valueEnd + 2 > dataLength || d[colon] != ':' || d[colon + 1] != ' '
                || d[valueEnd] != '\r' || d[valueEnd + 1] != '\n') {
            return -1;
        }
        return valueEnd + 2;
    }

    /** The head in a new heap buffer in read mode. */
    public ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedLength());
        if (!encodeTo(out)) {
            throw new BufferOverflowException();
        }
        return out.flip();
    }

    /** The head as it would be written, CRLFs shown as such; for logs and tests. */
    @Override
    public String toString() {
        ByteBuffer b = encode();
        return Ascii.string(b.array(), 0, b.limit());
    }

    abstract int startLineLength();

    /** Writes the start line without its CRLF into {@code a} from {@code p}; returns the index after it. */
    abstract int writeStartLine(byte[] a, int p);

    // ---- internals ----

    /** Empties this head after its storage went back to its parser ({@link HeadParser#recycle}). */
    void detach() {
        data = null;
        dataLength = 0;
        fields = null;
        fieldCount = 0;
    }

    /** Appends the ISO-8859-1 bytes of {@code s}; returns their offset. */
    final int append(String s) {
        int n = s.length();
        if (dataLength + n > data.length) {
            data = Arrays.copyOf(data, Math.max(dataLength + n, data.length * 2));
        }
        int off = dataLength;
        for (int i = 0; i < n; i++) {
            data[off + i] = (byte) s.charAt(i);
        }
        dataLength += n;
        return off;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= fieldCount) {
            throw new IndexOutOfBoundsException("field index " + index + " of " + fieldCount);
        }
    }

    /** Whether field {@code index} is Content-Length or Transfer-Encoding; allocates nothing. */
    private boolean framingAt(int index) {
        int no = fields[index * 4];
        int nl = fields[index * 4 + 1];
        return (nl == 14 && Ascii.equalsIgnoreCase(data, no, nl, "Content-Length"))
                || (nl == 17 && Ascii.equalsIgnoreCase(data, no, nl, "Transfer-Encoding"));
    }

    static boolean isFraming(String name) {
        // most names differ in length or first letter (X-Forwarded-Proto has Transfer-Encoding's length): two
        // compares before a full one
        int n = name.length();
        if (n == 14) {
            return (name.charAt(0) | 0x20) == 'c' && name.equalsIgnoreCase("Content-Length");
        }
        return n == 17 && (name.charAt(0) | 0x20) == 't' && name.equalsIgnoreCase("Transfer-Encoding");
    }

    /** Parsed framing must stay true to the bytes that follow. */
    void checkNotFraming(String name) {
        if (isFraming(name)) {
            throw new IllegalArgumentException("field " + name + " frames the body and cannot be edited in a "
                    + "head whose framing is " + framing + "; build a new head to change the framing");
        }
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("field name must be a non-empty token but was \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0xFF || !Ascii.TOKEN[c]) {
                throw new IllegalArgumentException("field name \"" + name + "\" has a character that is not a "
                        + "token character at index " + i);
            }
        }
    }

    /** Whether {@link #checkValue} would accept {@code value}. */
    private static boolean validValue(String value) {
        if (value == null) {
            return false;
        }
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c > 0xFF || !Ascii.FIELD_VALUE[c]) {
                return false;
            }
        }
        return n == 0 || !(isOws(value.charAt(0)) || isOws(value.charAt(n - 1)));
    }

    static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("field " + name + " value must not be null");
        }
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c > 0xFF || !Ascii.FIELD_VALUE[c]) {
                throw new IllegalArgumentException("field " + name + " value \"" + value + "\" has a forbidden "
                        + "character U+" + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        if (n > 0 && (isOws(value.charAt(0)) || isOws(value.charAt(n - 1)))) {
            throw new IllegalArgumentException("field " + name + " value \"" + value + "\" starts or ends with "
                    + "whitespace");
        }
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
