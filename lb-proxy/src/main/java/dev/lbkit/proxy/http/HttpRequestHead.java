package dev.lbkit.proxy.http;

/**
 * A request head: request line and header fields. Parsed by {@link HttpRequestParser}, or built with
 * {@link #create(String, String, HttpVersion)} (for tests, health checks, or requests the proxy makes).
 * See {@link HttpHead} for fields, edits and serialisation.
 */
public final class HttpRequestHead extends HttpHead {
    private final HttpMethod method;
    private final int methodOffset;
    private final int methodLength;
    private int targetOffset;
    private int targetLength;
    private TargetForm targetForm;
    boolean expectsContinue;
    boolean upgrade;
    int hostIndexHint = -1;

    HttpRequestHead(byte[] data, int dataLength, int[] fields, int fieldCount, HttpVersion version,
            HttpMethod method, int methodOffset, int methodLength, int targetOffset, int targetLength,
            TargetForm targetForm) {
        super(data, dataLength, fields, fieldCount, version);
        this.method = method;
        this.methodOffset = methodOffset;
        this.methodLength = methodLength;
        this.targetOffset = targetOffset;
        this.targetLength = targetLength;
        this.targetForm = targetForm;
    }

    /**
     * A new request head without fields; its framing is {@link BodyFraming#NONE} until
     * {@link #setContentLength(long)} or {@link #setChunked()}, and it is keep-alive for HTTP/1.1.
     *
     * @param method a token, e.g. {@code "GET"}
     * @param target a request-target in one of its four forms, matching the method
     * @throws IllegalArgumentException naming the part and value when the method is not a token or the target is
     *     not valid for the method
     */
    public static HttpRequestHead create(String method, String target, HttpVersion version) {
        if (version == null) {
            throw new NullPointerException("version");
        }
        byte[] m = bytes("method", method);
        byte[] t = bytes("target", target);
        try {
            HttpMethod known = HeadParser.checkMethod(m, 0, m.length, false);
            TargetForm form = HeadParser.checkTarget(known, t, 0, t.length);
            byte[] data = new byte[m.length + t.length + 64];
            System.arraycopy(m, 0, data, 0, m.length);
            System.arraycopy(t, 0, data, m.length, t.length);
            HttpRequestHead head = new HttpRequestHead(data, m.length + t.length, new int[32], 0, version, known, 0,
                    m.length, m.length, t.length, form);
            head.keepAlive = version == HttpVersion.HTTP_1_1;
            return head;
        } catch (HttpCodecException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static byte[] bytes(String what, String s) {
        if (s == null) {
            throw new NullPointerException(what);
        }
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            if (c > 0x7F) {
                throw new IllegalArgumentException(what + " \"" + s + "\" has a non-ASCII character at index " + i);
            }
            b[i] = (byte) c;
        }
        return b;
    }

    /** The method; {@link HttpMethod#OTHER} for a method outside the enum (see {@link #methodName()}). */
    public HttpMethod method() {
        return method;
    }

    /** The method as received, e.g. {@code "GET"}. */
    public String methodName() {
        return Ascii.string(data, methodOffset, methodLength);
    }

    /** The request-target as received (or as last set), e.g. {@code "/a/b?c=d"}. */
    public String target() {
        return Ascii.string(data, targetOffset, targetLength);
    }

    /** The form of the request-target. */
    public TargetForm targetForm() {
        return targetForm;
    }

    /**
     * Whether the target starts with {@code prefix} (byte-wise, case-sensitive); allocates nothing. For origin-form
     * targets this is a path-prefix test.
     */
    public boolean targetStartsWith(String prefix) {
        int n = prefix.length();
        if (n > targetLength) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (data[targetOffset + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces the request-target (URL rewriting); the form must stay valid for the method.
     *
     * @throws IllegalArgumentException naming the value when it is not a valid target for the method
     */
    public void setTarget(String target) {
        byte[] t = bytes("target", target);
        TargetForm form;
        try {
            form = HeadParser.checkTarget(method, t, 0, t.length);
        } catch (HttpCodecException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        targetOffset = append(target);
        targetLength = t.length;
        targetForm = form;
    }

    /** The value of the Host field, or null when there is none (HTTP/1.0 only; HTTP/1.1 requires it). */
    public String host() {
        return get("Host");
    }

    /** Whether the request has {@code Expect: 100-continue} (decided at parse time): the client waits for a
     *  100 (Continue) before sending its body. */
    public boolean expectsContinue() {
        return expectsContinue;
    }

    /** Whether the request asks to switch protocols (decided at parse time): an {@code Upgrade} field and
     *  {@code upgrade} listed in {@code Connection} (e.g. a WebSocket handshake). */
    public boolean isUpgrade() {
        return upgrade;
    }

    @Override
    int startLineLength() {
        return methodLength + 1 + targetLength + 1 + 8;
    }

    @Override
    int writeStartLine(byte[] a, int p) {
        System.arraycopy(data, methodOffset, a, p, methodLength);
        p += methodLength;
        a[p++] = ' ';
        System.arraycopy(data, targetOffset, a, p, targetLength);
        p += targetLength;
        a[p++] = ' ';
        return HeadParser.putVersion(a, p, version);
    }
}
