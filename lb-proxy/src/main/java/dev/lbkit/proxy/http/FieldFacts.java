package dev.lbkit.proxy.http;

import dev.lbkit.proxy.http.HttpCodecException.Reason;

/**
 * What the header fields of a complete head say about framing and connection handling, collected in one pass
 * (names compared by length first, so unrelated fields cost one int compare), then turned into the head's facts
 * by the rules of RFC 9112 sections 6 and 9.
 */
final class FieldFacts {
    private static final byte[] HOST = lower("host");
    private static final byte[] EXPECT = lower("expect");
    private static final byte[] UPGRADE = lower("upgrade");
    private static final byte[] CONNECTION = lower("connection");
    private static final byte[] CONTENT_LENGTH = lower("content-length");
    private static final byte[] TRANSFER_ENCODING = lower("transfer-encoding");

    private static byte[] lower(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private byte[] data;
    int hostCount;
    int hostIndex = -1;
    /** Content-Length fields and members (a member per comma-separated value). */
    int clFields;
    int clMembers;
    int firstClIndex = -1;
    long contentLength = -1;
    boolean te;
    int teCodings;
    int chunkedCount;
    boolean chunkedLast;
    int firstTeIndex = -1;
    String unknownCoding;
    boolean connClose;
    boolean connKeepAlive;
    boolean connUpgrade;
    boolean upgradeField;
    boolean expectContinue;
    HttpCodecException deferred;

    /** Forgets everything collected, so that one instance serves head after head. */
    void reset() {
        data = null;
        hostCount = 0;
        hostIndex = -1;
        clFields = 0;
        clMembers = 0;
        firstClIndex = -1;
        contentLength = -1;
        te = false;
        teCodings = 0;
        chunkedCount = 0;
        chunkedLast = false;
        firstTeIndex = -1;
        unknownCoding = null;
        connClose = false;
        connKeepAlive = false;
        connUpgrade = false;
        upgradeField = false;
        expectContinue = false;
        deferred = null;
    }

    void collect(byte[] a, int[] f, int count) throws HttpCodecException {
        this.data = a;
        for (int i = 0; i < count; i++) {
            int no = f[i * 4];
            int nl = f[i * 4 + 1];
            int vo = f[i * 4 + 2];
            int vl = f[i * 4 + 3];
            switch (nl) {
                case 4:
                    if (Ascii.equalsLower(a, no, nl, HOST)) {
                        hostCount++;
                        hostIndex = i;
                    }
                    break;
                case 6:
                    if (Ascii.equalsLower(a, no, nl, EXPECT) && Ascii.listContains(a, vo, vl, "100-continue")) {
                        expectContinue = true;
                    }
                    break;
                case 7:
                    if (Ascii.equalsLower(a, no, nl, UPGRADE)) {
                        upgradeField = true;
                    }
                    break;
                case 10:
                    if (Ascii.equalsLower(a, no, nl, CONNECTION)) {
                        connection(a, vo, vl);
                    }
                    break;
                case 14:
                    if (Ascii.equalsLower(a, no, nl, CONTENT_LENGTH)) {
                        if (firstClIndex < 0) {
                            firstClIndex = i;
                        }
                        clFields++;
                        contentLength(a, vo, vl);
                    }
                    break;
                case 17:
                    if (Ascii.equalsLower(a, no, nl, TRANSFER_ENCODING)) {
                        if (firstTeIndex < 0) {
                            firstTeIndex = i;
                        }
                        transferEncoding(a, vo, vl);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private void connection(byte[] a, int vo, int vl) {
        int end = vo + vl;
        int i = vo;
        while (i < end) {
            while (i < end && (a[i] == ' ' || a[i] == '\t' || a[i] == ',')) {
                i++;
            }
            int s = i;
            while (i < end && a[i] != ',') {
                i++;
            }
            int e = i;
            while (e > s && (a[e - 1] == ' ' || a[e - 1] == '\t')) {
                e--;
            }
            int n = e - s;
            if (n == 5 && Ascii.equalsIgnoreCase(a, s, n, "close")) {
                connClose = true;
            } else if (n == 10 && Ascii.equalsIgnoreCase(a, s, n, "keep-alive")) {
                connKeepAlive = true;
            } else if (n == 7 && Ascii.equalsIgnoreCase(a, s, n, "upgrade")) {
                connUpgrade = true;
            }
        }
    }

    private void contentLength(byte[] a, int vo, int vl) throws HttpCodecException {
        int end = vo + vl;
        int i = vo;
        while (true) {
            int s = i;
            while (i < end && a[i] != ',') {
                i++;
            }
            int e = i;
            int ms = s;
            while (ms < e && (a[ms] == ' ' || a[ms] == '\t')) {
                ms++;
            }
            while (e > ms && (a[e - 1] == ' ' || a[e - 1] == '\t')) {
                e--;
            }
            if (ms == e) {
                throw new HttpCodecException(Reason.BAD_CONTENT_LENGTH, "Content-Length "
                        + Ascii.quote(a, vo, vl) + " has an empty value");
            }
            long v = 0;
            for (int j = ms; j < e; j++) {
                int d = a[j] - '0';
                if (d < 0 || d > 9) {
                    throw new HttpCodecException(Reason.BAD_CONTENT_LENGTH, "Content-Length "
                            + Ascii.quote(a, vo, vl) + " is not a non-negative decimal integer");
                }
                if (v > (Long.MAX_VALUE - d) / 10) {
                    throw new HttpCodecException(Reason.CONTENT_LENGTH_OVERFLOW, "Content-Length "
                            + Ascii.quote(a, vo, vl) + " is larger than " + Long.MAX_VALUE);
                }
                v = v * 10 + d;
            }
            clMembers++;
            if (contentLength >= 0 && contentLength != v) {
                throw new HttpCodecException(Reason.DIFFERING_CONTENT_LENGTHS, "Content-Length values differ: "
                        + contentLength + " and " + v);
            }
            contentLength = v;
            if (i == end) {
                return;
            }
            i++; // the comma
        }
    }

    private void transferEncoding(byte[] a, int vo, int vl) throws HttpCodecException {
        te = true;
        int end = vo + vl;
        int i = vo;
        while (true) {
            int s = i;
            while (i < end && a[i] != ',') {
                i++;
            }
            int e = i;
            while (s < e && (a[s] == ' ' || a[s] == '\t')) {
                s++;
            }
            while (e > s && (a[e - 1] == ' ' || a[e - 1] == '\t')) {
                e--;
            }
            if (s == e) {
                throw new HttpCodecException(Reason.BAD_TRANSFER_ENCODING, "Transfer-Encoding "
                        + Ascii.quote(a, vo, vl) + " has an empty member");
            }
            for (int j = s; j < e; j++) {
                if (!Ascii.TOKEN[a[j] & 0xFF]) {
                    throw new HttpCodecException(Reason.BAD_TRANSFER_ENCODING, "Transfer-Encoding "
                            + Ascii.quote(a, vo, vl) + " has a member that is not a bare coding name (parameters "
                            + "are not accepted): " + Ascii.quote(a, s, e - s));
                }
            }
            teCodings++;
            int n = e - s;
            boolean chunked = n == 7 && Ascii.equalsIgnoreCase(a, s, n, "chunked");
            if (chunked) {
                chunkedCount++;
            } else if (!(Ascii.equalsIgnoreCase(a, s, n, "gzip") || Ascii.equalsIgnoreCase(a, s, n, "x-gzip")
                    || Ascii.equalsIgnoreCase(a, s, n, "deflate") || Ascii.equalsIgnoreCase(a, s, n, "compress")
                    || Ascii.equalsIgnoreCase(a, s, n, "x-compress"))) {
                if (unknownCoding == null) {
                    unknownCoding = Ascii.string(a, s, n);
                }
            }
            chunkedLast = chunked;
            if (i == end) {
                return;
            }
            i++;
        }
    }

    // ---- requests ----

    void frameRequest(HttpRequestHead r, HttpLimits limits) throws HttpCodecException {
        boolean http11 = r.version == HttpVersion.HTTP_1_1;
        if (hostCount > 1) {
            throw new HttpCodecException(Reason.MULTIPLE_HOST, "request has " + hostCount + " Host fields");
        }
        if (hostCount == 0 && http11) {
            throw new HttpCodecException(Reason.MISSING_HOST, "HTTP/1.1 request has no Host field");
        }
        if (hostIndex >= 0) {
            int vo = r.fields[hostIndex * 4 + 2];
            int vl = r.fields[hostIndex * 4 + 3];
            for (int i = vo; i < vo + vl; i++) {
                if (data[i] == ',') {
                    throw new HttpCodecException(Reason.MULTIPLE_HOST, "Host " + Ascii.quote(data, vo, vl)
                            + " is a list");
                }
            }
            if (!HeadParser.authority(data, vo, vo + vl, false)) {
                throw new HttpCodecException(Reason.BAD_HOST, "Host " + Ascii.quote(data, vo, vl)
                        + " is not uri-host [\":\" port]");
            }
        }
        if (te) {
            if (!http11) {
                throw new HttpCodecException(Reason.TRANSFER_ENCODING_IN_HTTP10, "HTTP/1.0 request has "
                        + "Transfer-Encoding " + Ascii.quote(data, r.fields[firstTeIndex * 4 + 2],
                                r.fields[firstTeIndex * 4 + 3]));
            }
            if (clFields > 0) {
                throw new HttpCodecException(Reason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, "request has both "
                        + "Content-Length and Transfer-Encoding");
            }
            checkCodings("request");
            r.framing = BodyFraming.CHUNKED;
        } else if (clFields > 0) {
            collapseContentLength(r);
            r.framing = BodyFraming.CONTENT_LENGTH;
            r.contentLength = contentLength;
        } else {
            if (limits.requireLength() && r.method().expectsBody()) {
                throw new HttpCodecException(Reason.LENGTH_REQUIRED, r.methodName() + " request has neither "
                        + "Content-Length nor Transfer-Encoding (requireLength)");
            }
            r.framing = BodyFraming.NONE;
        }
        r.keepAlive = http11 ? !connClose : connKeepAlive && !connClose;
        r.expectsContinue = http11 && expectContinue;
        r.upgrade = http11 && upgradeField && connUpgrade;
    }

    private void checkCodings(String what) throws HttpCodecException {
        if (chunkedCount > 1) {
            throw new HttpCodecException(Reason.BAD_TRANSFER_ENCODING, what + " Transfer-Encoding lists chunked "
                    + chunkedCount + " times");
        }
        if (unknownCoding != null) {
            throw new HttpCodecException(Reason.UNKNOWN_TRANSFER_ENCODING, what + " Transfer-Encoding has the "
                    + "unknown coding \"" + unknownCoding + "\"");
        }
        if (!chunkedLast) {
            throw new HttpCodecException(Reason.TRANSFER_ENCODING_NOT_CHUNKED_LAST, what + " Transfer-Encoding "
                    + "does not end with chunked");
        }
    }

    /** Identical duplicates (several fields or a list) become one field with one value. */
    private void collapseContentLength(HttpHead h) {
        if (clMembers == 1) {
            return;
        }
        int keep = firstClIndex;
        for (int i = h.fieldCount - 1; i > keep; i--) {
            if (h.fields[i * 4 + 1] == 14 && Ascii.equalsIgnoreCase(h.data, h.fields[i * 4], 14, "content-length")) {
                System.arraycopy(h.fields, i * 4 + 4, h.fields, i * 4, (h.fieldCount - i - 1) * 4);
                h.fieldCount--;
            }
        }
        String v = Long.toString(contentLength);
        h.fields[keep * 4 + 2] = h.append(v);
        h.fields[keep * 4 + 3] = v.length();
    }

    // ---- responses ----

    void frameResponse(HttpResponseHead r, HttpRequestHead request) throws HttpCodecException {
        boolean http11 = r.version == HttpVersion.HTTP_1_1;
        int status = r.status();
        HttpMethod method = request == null ? HttpMethod.GET : request.method();
        if (te && !http11) {
            throw new HttpCodecException(Reason.TRANSFER_ENCODING_IN_HTTP10, "HTTP/1.0 response has "
                    + "Transfer-Encoding");
        }
        if (te && clFields > 0) {
            throw new HttpCodecException(Reason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, "response has both "
                    + "Content-Length and Transfer-Encoding");
        }
        if (te && chunkedCount > 1) {
            throw new HttpCodecException(Reason.BAD_TRANSFER_ENCODING, "response Transfer-Encoding lists chunked "
                    + chunkedCount + " times");
        }
        if (clFields > 0) {
            collapseContentLength(r);
        }
        boolean keep = http11 ? !connClose : connKeepAlive && !connClose;
        if (status == 101) {
            if (request == null || !request.isUpgrade()) {
                throw new HttpCodecException(Reason.UNEXPECTED_UPGRADE, "101 Switching Protocols answers a "
                        + "request that asked for no upgrade");
            }
            r.framing = BodyFraming.TUNNEL;
            keep = false;
        } else if (method == HttpMethod.CONNECT && status >= 200 && status < 300) {
            r.framing = BodyFraming.TUNNEL;
            keep = false;
        } else if (method == HttpMethod.HEAD || status < 200 || status == 204 || status == 304) {
            r.framing = BodyFraming.NONE;
        } else if (te) {
            if (chunkedLast) {
                r.framing = BodyFraming.CHUNKED;
            } else {
                r.framing = BodyFraming.UNTIL_CLOSE;
                keep = false;
            }
        } else if (clFields > 0) {
            r.framing = BodyFraming.CONTENT_LENGTH;
            r.contentLength = contentLength;
        } else {
            r.framing = BodyFraming.UNTIL_CLOSE;
            keep = false;
        }
        r.keepAlive = keep;
    }
}
