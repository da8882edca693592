package dev.lbkit.proxy.http;

/**
 * A response head: status line and header fields. Parsed by {@link HttpResponseParser}, or built with
 * {@link #create(int, String, HttpVersion)} for the responses the proxy writes itself (100 Continue, errors).
 * See {@link HttpHead} for fields, edits and serialisation.
 */
public final class HttpResponseHead extends HttpHead {
    private int status;
    private int reasonOffset;
    private int reasonLength;

    HttpResponseHead(byte[] data, int dataLength, int[] fields, int fieldCount, HttpVersion version, int status,
            int reasonOffset, int reasonLength) {
        super(data, dataLength, fields, fieldCount, version);
        this.status = status;
        this.reasonOffset = reasonOffset;
        this.reasonLength = reasonLength;
    }

    /**
     * A new response head without fields. Its framing is {@link BodyFraming#NONE} for 1xx, 204 and 304 and
     * {@link BodyFraming#UNTIL_CLOSE} otherwise, until {@link #setContentLength(long)} or {@link #setChunked()};
     * it is keep-alive for HTTP/1.1 once framed with a length or chunks.
     *
     * @param status 100..599
     * @param reason the reason phrase, possibly empty; visible ASCII, space and tab
     * @throws IllegalArgumentException naming the value when the status or reason is invalid
     */
    public static HttpResponseHead create(int status, String reason, HttpVersion version) {
        if (version == null) {
            throw new NullPointerException("version");
        }
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599 but was " + status);
        }
        checkReason(reason);
        byte[] data = new byte[reason.length() + 64];
        HttpResponseHead head = new HttpResponseHead(data, 0, new int[32], 0, version, status, 0, reason.length());
        head.reasonOffset = head.append(reason);
        boolean bodiless = status < 200 || status == 204 || status == 304;
        head.framing = bodiless ? BodyFraming.NONE : BodyFraming.UNTIL_CLOSE;
        head.keepAlive = bodiless && version == HttpVersion.HTTP_1_1;
        return head;
    }

    private static void checkReason(String reason) {
        if (reason == null) {
            throw new NullPointerException("reason");
        }
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (c > 0xFF || !Ascii.REASON[c]) {
                throw new IllegalArgumentException("reason phrase \"" + reason + "\" has a forbidden character U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
        }
    }

    /** The status code, 100..599. */
    public int status() {
        return status;
    }

    /** The reason phrase as received, possibly empty. */
    public String reason() {
        return Ascii.string(data, reasonOffset, reasonLength);
    }

    /** Replaces status and reason phrase; the parse-time framing is unchanged. */
    public void setStatus(int status, String reason) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599 but was " + status);
        }
        checkReason(reason);
        this.status = status;
        this.reasonOffset = append(reason);
        this.reasonLength = reason.length();
    }

    /** Whether this is an interim response (1xx other than 101): the final response follows on the same
     *  connection, after it, for the same request. */
    public boolean isInterim() {
        return status < 200 && status != 101;
    }

    @Override
    public void setContentLength(long length) {
        super.setContentLength(length);
        keepAlive = version == HttpVersion.HTTP_1_1;
    }

    @Override
    public void setChunked() {
        super.setChunked();
        keepAlive = true;
    }

    @Override
    int startLineLength() {
        return 8 + 1 + 3 + 1 + reasonLength;
    }

    @Override
    int writeStartLine(byte[] a, int p) {
        p = HeadParser.putVersion(a, p, version);
        a[p++] = ' ';
        a[p++] = (byte) ('0' + status / 100);
        a[p++] = (byte) ('0' + status / 10 % 10);
        a[p++] = (byte) ('0' + status % 10);
        a[p++] = ' ';
        System.arraycopy(data, reasonOffset, a, p, reasonLength);
        return p + reasonLength;
    }
}
