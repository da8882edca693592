package dev.lbkit.proxy.http;

import dev.lbkit.proxy.http.HttpCodecException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The incremental head parser shared by {@link HttpRequestParser} and {@link HttpResponseParser}.
 *
 * <p>Bytes are looked for LF in the caller's buffer and copied, a line at a time, into one array that becomes the
 * head's storage; each complete line is then checked in the array. No line is looked at before its LF arrives
 * (or its limit is passed), so a byte that no valid head could have is reported when its line ends.
 */
final class HeadParser {
    private static final int START = 0;
    private static final int FIELDS = 1;
    private static final int FAILED = 2;

    final HttpLimits limits;
    private final boolean requests;

    private int phase = START;
    /** Where the current phase (start line, header section) starts in {@link #buf}. */
    private int phaseStart;
    /** Bytes of empty lines dropped before the request line; they count against the request-line limit. */
    private int discarded;
    private int leadingEmptyLines;
    /** Where the search for the next LF resumes. */
    private int scanPos;
    /** Whether the current line holds a control byte (or DEL) other than its final CRLF. */
    private boolean lineDirty;
    private byte[] buf;
    private int len;
    private int lineStart;
    private int[] fields;
    private int fieldCount;
    private int nextCapacity = 256;
    /** Storage of a head the caller gave back ({@link #recycle}), for the next head. */
    /** What the fields of the head being completed say; one per parser, reset per head. */
    private final FieldFacts facts = new FieldFacts();
    private byte[] spareData;
    private int[] spareFields;
    private HttpCodecException failure;

    // start line
    private HttpVersion version;
    private HttpMethod method;
    private int methodLength;
    private int targetOffset;
    private int targetLength;
    private TargetForm targetForm;
    private int status;
    private int reasonOffset;
    private int reasonLength;

    HeadParser(HttpLimits limits, boolean requests) {
        if (limits == null) {
            throw new NullPointerException("limits");
        }
        this.limits = limits;
        this.requests = requests;
    }

    boolean isIdle() {
        return phase == START && len == 0 && discarded == 0;
    }

    int bufferedBytes() {
        return phase == FAILED ? 0 : len;
    }

    void reset() {
        phase = START;
        phaseStart = 0;
        discarded = 0;
        leadingEmptyLines = 0;
        len = 0;
        scanPos = 0;
        lineDirty = false;
        lineStart = 0;
        fieldCount = 0;
        failure = null;
    }

    HttpHead parse(ByteBuffer in, HttpRequestHead request) throws HttpCodecException {
        if (phase == FAILED) {
            throw new HttpCodecException(failure.reason(), "parser already failed: " + failure.getMessage());
        }
        try {
            return parse0(in, request);
        } catch (HttpCodecException e) {
            phase = FAILED;
            failure = e;
            throw e;
        }
    }

    /**
     * Copies up to {@value #CHUNK} bytes at a time (never more than the current limit allows) into the head's
     * array, and handles every complete line in it. Bytes copied past the end of the head are given back by
     * moving the buffer's position back: they were all copied in this call, because every earlier call handled
     * all the complete lines it had copied.
     */
    private HttpHead parse0(ByteBuffer in, HttpRequestHead request) throws HttpCodecException {
        while (true) {
            int lf = buf == null ? -1 : nextLineEnd();
            int max = phase == START ? limits.maxRequestLineLength() : limits.maxHeaderSectionLength();
            int before = phase == START ? discarded : 0;
            if (lf >= 0) {
                int end = lf + 1;
                if (end - phaseStart + before > max) {
                    throw tooLong(end);
                }
                scanPos = end;
                HttpHead head = line(end, request);
                lineDirty = false;
                if (head != null) {
                    in.position(in.position() - (len - end));
                    reset();
                    return head;
                }
                continue;
            }
            int used = len - phaseStart + before;
            if (used >= max) {
                throw tooLong(len);
            }
            int n = Math.min(in.remaining(), Math.min(CHUNK, max - used));
            if (n == 0) {
                return null;
            }
            ensureCapacity(n);
            in.get(buf, len, n);
            len += n;
        }
    }

    private static final int CHUNK = 1024;

    /**
     * Finds the LF ending the current line from {@link #scanPos}, noting in {@link #lineDirty} whether the line
     * holds a control byte other than its final CRLF (then its checks look at every byte; a clean line's value
     * needs no second look). Returns -1, with {@code scanPos} where to resume, when the line is not complete.
     */
    private int nextLineEnd() {
        int i = scanPos;
        while (true) {
            int c = Ascii.indexOfControl(buf, i, len);
            if (c < 0) {
                scanPos = len;
                return -1;
            }
            byte b = buf[c];
            if (b == '\n') {
                if (c == lineStart || buf[c - 1] != '\r') {
                    lineDirty = true; // a bare LF: line() reports it
                }
                return c;
            }
            if (b == '\r') {
                if (c + 1 == len) {
                    scanPos = c; // look at this CR again when the next byte is there
                    return -1;
                }
                if (buf[c + 1] == '\n') {
                    return c + 1;
                }
            }
            lineDirty = true;
            i = c + 1;
        }
    }

    private HttpCodecException tooLong(int end) {
        if (phase == START) {
            return new HttpCodecException(Reason.REQUEST_LINE_TOO_LONG, (requests ? "request" : "status")
                    + " line is longer than maxRequestLineLength " + limits.maxRequestLineLength()
                    + " bytes: " + Ascii.quote(buf, lineStart, end - lineStart));
        }
        return new HttpCodecException(Reason.HEADER_SECTION_TOO_LARGE, "header section is longer than "
                + "maxHeaderSectionLength " + limits.maxHeaderSectionLength() + " bytes, at field line "
                + Ascii.quote(buf, lineStart, end - lineStart));
    }

    private void ensureCapacity(int n) {
        if (buf == null) {
            int want = Math.max(nextCapacity, n);
            byte[] spare = spareData;
            spareData = null;
            buf = spare != null && spare.length >= want ? spare : new byte[want];
        } else if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        }
    }

    /** Handles the complete line buf[lineStart, end); returns the head when it was the empty line ending it. */
    private HttpHead line(int end, HttpRequestHead request) throws HttpCodecException {
        int s = lineStart;
        int e = end - 1; // the LF
        if (e == s || buf[e - 1] != '\r') {
            throw new HttpCodecException(Reason.BARE_LF, "line ends with LF without CR: "
                    + Ascii.quote(buf, s, end - s));
        }
        e--; // the CR
        if (phase == START) {
            if (e == s) {
                if (requests && leadingEmptyLines < HttpRequestParser.LEADING_EMPTY_LINES) {
                    leadingEmptyLines++;
                    System.arraycopy(buf, end, buf, s, len - end);
                    len -= end - s;
                    discarded += end - s;
                    scanPos = s;
                    return null;
                }
                throw new HttpCodecException(requests ? Reason.BAD_REQUEST_LINE : Reason.BAD_STATUS_LINE,
                        requests ? "more than " + HttpRequestParser.LEADING_EMPTY_LINES
                                + " empty lines before the request line" : "status line is empty");
            }
            if (requests) {
                requestLine(s, e);
            } else {
                statusLine(s, e);
            }
            phase = FIELDS;
            phaseStart = end;
            if (fields == null) {
                int[] spare = spareFields;
                spareFields = null;
                fields = spare != null ? spare : new int[64];
            }
            lineStart = end;
            return null;
        }
        if (e == s) {
            return complete(end, request);
        }
        fieldLine(s, e);
        lineStart = end;
        return null;
    }

    // ---- start lines ----

    private void requestLine(int s, int e) throws HttpCodecException {
        int i = s;
        while (i < e && Ascii.TOKEN[buf[i] & 0xFF]) {
            i++;
        }
        if (i == e || buf[i] != ' ' || i == s) {
            if (i < e && buf[i] != ' ') {
                throw classify(buf[i], Reason.BAD_METHOD, "method has a byte that is not a token character "
                        + Ascii.quoteByte(buf[i]) + " in request line " + Ascii.quote(buf, s, e - s));
            }
            throw new HttpCodecException(Reason.BAD_REQUEST_LINE, "request line is not \"method SP target SP "
                    + "version\": " + Ascii.quote(buf, s, e - s));
        }
        methodLength = i - s;
        method = checkMethod(buf, s, methodLength, limits.rejectUnknownMethods());
        int t = ++i;
        while (i < e && buf[i] != ' ') {
            i++;
        }
        if (i == e || i == t) {
            throw new HttpCodecException(Reason.BAD_REQUEST_LINE, "request line is not \"method SP target SP "
                    + "version\": " + Ascii.quote(buf, s, e - s));
        }
        int v = i + 1;
        for (int j = v; j < e; j++) {
            if (buf[j] == ' ') {
                throw new HttpCodecException(Reason.BAD_REQUEST_LINE, "request line has more than two spaces: "
                        + Ascii.quote(buf, s, e - s));
            }
        }
        version = version(v, e);
        targetForm = checkTarget(method, buf, t, i - t);
        targetOffset = t;
        targetLength = i - t;
    }

    private void statusLine(int s, int e) throws HttpCodecException {
        if (e - s < 12 || buf[s + 8] != ' ') {
            if (e - s >= 8 && (e - s == 8 || buf[s + 8] == ' ')) {
                version(s, s + 8);
            }
            throw new HttpCodecException(Reason.BAD_STATUS_LINE, "status line is not \"HTTP/1.x SP 3DIGIT SP "
                    + "reason\": " + Ascii.quote(buf, s, e - s));
        }
        version = version(s, s + 8);
        int d0 = buf[s + 9] - '0';
        int d1 = buf[s + 10] - '0';
        int d2 = buf[s + 11] - '0';
        if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (e > s + 12 && buf[s + 12] != ' ')) {
            throw new HttpCodecException(Reason.BAD_STATUS_LINE, "status code is not 100..599 in status line "
                    + Ascii.quote(buf, s, e - s));
        }
        status = d0 * 100 + d1 * 10 + d2;
        int r = Math.min(e, s + 13);
        for (int i = r; i < e; i++) {
            int b = buf[i] & 0xFF;
            if (!Ascii.REASON[b]) {
                throw classify(b, Reason.BAD_STATUS_LINE, "reason phrase has a control byte "
                        + Ascii.quoteByte(b) + ": " + Ascii.quote(buf, s, e - s));
            }
        }
        reasonOffset = r;
        reasonLength = e - r;
    }

    private HttpVersion version(int v, int e) throws HttpCodecException {
        if (e - v != 8 || buf[v] != 'H' || buf[v + 1] != 'T' || buf[v + 2] != 'T' || buf[v + 3] != 'P'
                || buf[v + 4] != '/' || buf[v + 6] != '.' || !digit(buf[v + 5]) || !digit(buf[v + 7])) {
            throw new HttpCodecException(Reason.BAD_VERSION, "HTTP-version is not \"HTTP/DIGIT.DIGIT\": "
                    + Ascii.quote(buf, v, e - v));
        }
        if (buf[v + 5] != '1') {
            throw new HttpCodecException(Reason.VERSION_NOT_SUPPORTED, "HTTP-version " + Ascii.quote(buf, v, 8)
                    + " is not supported; only HTTP/1.x is");
        }
        return buf[v + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    static HttpMethod checkMethod(byte[] a, int off, int len, boolean rejectUnknown) throws HttpCodecException {
        if (len == 0) {
            throw new HttpCodecException(Reason.BAD_METHOD, "method is empty");
        }
        for (int i = off; i < off + len; i++) {
            if (!Ascii.TOKEN[a[i] & 0xFF]) {
                throw classify(a[i], Reason.BAD_METHOD, "method " + Ascii.quote(a, off, len) + " has a byte that "
                        + "is not a token character: " + Ascii.quoteByte(a[i]));
            }
        }
        HttpMethod m = knownMethod(a, off, len);
        if (m == HttpMethod.OTHER && rejectUnknown) {
            throw new HttpCodecException(Reason.METHOD_NOT_IMPLEMENTED, "method " + Ascii.quote(a, off, len)
                    + " is not implemented (rejectUnknownMethods)");
        }
        return m;
    }

    private static HttpMethod knownMethod(byte[] a, int o, int len) {
        switch (len) {
            case 3:
                if (is(a, o, "GET")) {
                    return HttpMethod.GET;
                }
                return is(a, o, "PUT") ? HttpMethod.PUT : HttpMethod.OTHER;
            case 4:
                if (is(a, o, "POST")) {
                    return HttpMethod.POST;
                }
                return is(a, o, "HEAD") ? HttpMethod.HEAD : HttpMethod.OTHER;
            case 5:
                if (is(a, o, "PATCH")) {
                    return HttpMethod.PATCH;
                }
                return is(a, o, "TRACE") ? HttpMethod.TRACE : HttpMethod.OTHER;
            case 6:
                return is(a, o, "DELETE") ? HttpMethod.DELETE : HttpMethod.OTHER;
            case 7:
                if (is(a, o, "OPTIONS")) {
                    return HttpMethod.OPTIONS;
                }
                return is(a, o, "CONNECT") ? HttpMethod.CONNECT : HttpMethod.OTHER;
            default:
                return HttpMethod.OTHER;
        }
    }

    private static boolean is(byte[] a, int o, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (a[o + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static TargetForm checkTarget(HttpMethod method, byte[] a, int off, int len) throws HttpCodecException {
        if (len == 0) {
            throw new HttpCodecException(Reason.BAD_REQUEST_TARGET, "request-target is empty");
        }
        for (int i = off; i < off + len; i++) {
            int b = a[i] & 0xFF;
            if (!Ascii.TARGET[b]) {
                throw classify(b, Reason.BAD_REQUEST_TARGET, "request-target " + Ascii.quote(a, off, len)
                        + " has a forbidden byte " + Ascii.quoteByte(b));
            }
        }
        if (method == HttpMethod.CONNECT) {
            if (!authority(a, off, off + len, true)) {
                throw new HttpCodecException(Reason.BAD_REQUEST_TARGET, "CONNECT request-target "
                        + Ascii.quote(a, off, len) + " is not authority-form host:port");
            }
            return TargetForm.AUTHORITY;
        }
        if (a[off] == '/') {
            return TargetForm.ORIGIN;
        }
        if (len == 1 && a[off] == '*') {
            if (method != HttpMethod.OPTIONS) {
                throw new HttpCodecException(Reason.BAD_REQUEST_TARGET, "request-target \"*\" is only for "
                        + "OPTIONS");
            }
            return TargetForm.ASTERISK;
        }
        int scheme = schemeLength(a, off, len);
        if (scheme > 0) {
            int hs = off + scheme + 3;
            int he = hs;
            while (he < off + len && a[he] != '/' && a[he] != '?') {
                he++;
            }
            // userinfo (user@host) fails the authority check: RFC 9110 section 4.2.4 treats it as an error
            if (he > hs && authority(a, hs, he, false)) {
                return TargetForm.ABSOLUTE;
            }
        }
        throw new HttpCodecException(Reason.BAD_REQUEST_TARGET, "request-target " + Ascii.quote(a, off, len)
                + " is neither origin-form (/path) nor absolute-form (http://host/path, without userinfo)");
    }

    /** Length of "http" or "https" if the target starts with it followed by "://", else 0. */
    private static int schemeLength(byte[] a, int off, int len) {
        int n;
        if (len > 7 && Ascii.equalsIgnoreCase(a, off, 4, "http")) {
            n = (a[off + 4] == 's' || a[off + 4] == 'S') ? 5 : 4;
            if (len > n + 3 && a[off + n] == ':' && a[off + n + 1] == '/' && a[off + n + 2] == '/') {
                return n;
            }
        }
        return 0;
    }

    /** uri-host [":" port], port required when asked; IP-literals in brackets. */
    static boolean authority(byte[] a, int s, int e, boolean portRequired) {
        int i = s;
        if (i < e && a[i] == '[') {
            while (i < e && a[i] != ']') {
                int b = a[i] & 0xFF;
                if (i > s && !(Ascii.HEX[b] >= 0 || b == ':' || b == '.' || b == 'v' || b == 'V')) {
                    return false;
                }
                i++;
            }
            if (i == e) {
                return false;
            }
            i++;
        } else {
            while (i < e && a[i] != ':') {
                if (!REG_NAME[a[i] & 0xFF]) {
                    return false;
                }
                i++;
            }
        }
        if (i == e) {
            return !portRequired;
        }
        if (a[i] != ':') {
            return false;
        }
        i++;
        if (portRequired && (i == e || i == s + 1)) {
            return false;
        }
        for (; i < e; i++) {
            if (!digit(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** unreserved / pct-encoded / sub-delims except ',' (a comma in Host means a list). */
    private static final boolean[] REG_NAME = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            REG_NAME[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            REG_NAME[c] = true;
            REG_NAME[c - 32] = true;
        }
        for (char c : "-._~%!$&'()*+;=".toCharArray()) {
            REG_NAME[c] = true;
        }
    }

    // ---- field lines ----

    private void fieldLine(int s, int e) throws HttpCodecException {
        if (buf[s] == ' ' || buf[s] == '\t') {
            throw new HttpCodecException(Reason.OBS_FOLD, "field line starts with whitespace (obs-fold or "
                    + "whitespace after the start line): " + Ascii.quote(buf, s, e - s));
        }
        if (fieldCount >= limits.maxHeaderCount()) {
            throw new HttpCodecException(Reason.TOO_MANY_FIELDS, "more than maxHeaderCount "
                    + limits.maxHeaderCount() + " field lines, at " + Ascii.quote(buf, s, e - s));
        }
        int i = s;
        while (i < e && Ascii.TOKEN[buf[i] & 0xFF]) {
            i++;
        }
        if (i == e || buf[i] != ':' || i == s) {
            throw badName(s, e, i);
        }
        int nameEnd = i++;
        while (i < e && (buf[i] == ' ' || buf[i] == '\t')) {
            i++;
        }
        int vs = i;
        int bad = lineDirty ? Ascii.firstNonFieldValue(buf, vs, e) : -1;
        if (bad >= 0) {
            int b = buf[bad] & 0xFF;
            throw classify(b, Reason.BAD_FIELD_VALUE, "field " + Ascii.quote(buf, s, nameEnd - s)
                    + " value has a forbidden byte " + Ascii.quoteByte(b) + ": " + Ascii.quote(buf, vs, e - vs));
        }
        int ve = e;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
            ve--;
        }
        if ((fieldCount + 1) * 4 > fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        int f = fieldCount * 4;
        fields[f] = s;
        fields[f + 1] = nameEnd - s;
        fields[f + 2] = vs;
        fields[f + 3] = ve - vs;
        fieldCount++;
    }

    private HttpCodecException badName(int s, int e, int i) {
        String line = Ascii.quote(buf, s, e - s);
        if (i < e && buf[i] == ':') {
            return new HttpCodecException(Reason.BAD_FIELD_NAME, "field line has an empty name: " + line);
        }
        int colon = -1;
        for (int j = i; j < e; j++) {
            if (buf[j] == ':') {
                colon = j;
                break;
            }
        }
        if (colon < 0) {
            if (i < e && (buf[i] == 0 || buf[i] == '\r')) {
                return classify(buf[i], Reason.MISSING_COLON, line);
            }
            return new HttpCodecException(Reason.MISSING_COLON, "field line has no colon: " + line);
        }
        int j = i;
        while (j < colon && (buf[j] == ' ' || buf[j] == '\t')) {
            j++;
        }
        if (j == colon) {
            return new HttpCodecException(Reason.WHITESPACE_BEFORE_COLON, "field name "
                    + Ascii.quote(buf, s, i - s) + " is followed by whitespace before the colon: " + line);
        }
        return classify(buf[i], Reason.BAD_FIELD_NAME, "field name " + Ascii.quote(buf, s, colon - s)
                + " has a byte that is not a token character " + Ascii.quoteByte(buf[i]));
    }

    /** NUL and CR get their own reasons wherever they appear; other bytes the contextual one. */
    static HttpCodecException classify(int b, Reason contextual, String message) {
        b &= 0xFF;
        if (b == 0) {
            return new HttpCodecException(Reason.NUL_BYTE, "NUL byte: " + message);
        }
        if (b == '\r') {
            return new HttpCodecException(Reason.BARE_CR, "CR not followed by LF: " + message);
        }
        if (b == '\n') {
            return new HttpCodecException(Reason.BARE_LF, "LF without CR: " + message);
        }
        return new HttpCodecException(contextual, message);
    }

    // ---- the complete head ----

    private HttpHead complete(int end, HttpRequestHead request) throws HttpCodecException {
        FieldFacts facts = this.facts;
        facts.reset();
        facts.collect(buf, fields, fieldCount);
        HttpHead head;
        if (requests) {
            HttpRequestHead r = new HttpRequestHead(buf, end, fields, fieldCount, version, method, 0, methodLength,
                    targetOffset, targetLength, targetForm);
            facts.frameRequest(r, limits);
            head = r;
        } else {
            HttpResponseHead r = new HttpResponseHead(buf, end, fields, fieldCount, version, status, reasonOffset,
                    reasonLength);
            facts.frameResponse(r, request);
            head = r;
        }
        nextCapacity = Math.max(256, Math.min(end + 128, 1 << 16));
        buf = null;
        fields = null;
        return head;
    }

    /** Largest head storage kept for reuse; a larger one (a huge head) is left to the collector. */
    private static final int MAX_SPARE = 1 << 16;

    /**
     * Takes back the storage of a head this parser returned and the caller no longer uses: the next head is parsed
     * into it instead of new arrays. The head is emptied (its fields and start line are gone), so that a use after
     * recycling fails instead of reading another message's bytes.
     */
    void recycle(HttpHead head) {
        byte[] d = head.data;
        int[] f = head.fields;
        if (d == null || d == buf || f == fields) {
            return; // already recycled, or not a head of ours to give back
        }
        head.detach();
        if (d.length <= MAX_SPARE) {
            spareData = d;
        }
        if (f.length <= 4 * 1024) {
            spareFields = f;
        }
    }

    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};

    static int putVersion(byte[] a, int p, HttpVersion version) {
        System.arraycopy(HTTP_1, 0, a, p, 7);
        a[p + 7] = (byte) (version == HttpVersion.HTTP_1_0 ? '0' : '1');
        return p + 8;
    }
}
