package dev.lbkit.proxy.http;

/** Byte classes of RFC 9110/9112 as lookup tables, and helpers for error messages. */
final class Ascii {
    /** tchar: {@code !#$%&'*+-.^_`|~}, DIGIT, ALPHA. */
    static final boolean[] TOKEN = new boolean[256];
    /** Bytes allowed in a field value: HTAB, SP, VCHAR, obs-text. */
    static final boolean[] FIELD_VALUE = new boolean[256];
    /** Bytes allowed in a request-target: VCHAR except '#'. */
    static final boolean[] TARGET = new boolean[256];
    /** Bytes allowed in a reason phrase: HTAB, SP, VCHAR, obs-text (same as a field value). */
    static final boolean[] REASON = FIELD_VALUE;
    /** Hex digit values, -1 for other bytes. */
    static final byte[] HEX = new byte[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        FIELD_VALUE['\t'] = true;
        for (int c = 0x20; c < 0x7F; c++) {
            FIELD_VALUE[c] = true;
        }
        for (int c = 0x80; c < 0x100; c++) {
            FIELD_VALUE[c] = true;
        }
        for (int c = 0x21; c < 0x7F; c++) {
            TARGET[c] = c != '#';
        }
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 32] = (byte) (c - 'a' + 10);
        }
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Ascii() {
    }

    /** The index of the first control byte (below 0x20, or DEL) in {@code a[from, to)}, or -1; eight at a time. */
    static int indexOfControl(byte[] a, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(a, i);
            long ctl = (x - 0x2020202020202020L) & ~x & HIGHS;
            long d = x ^ 0x7F7F7F7F7F7F7F7FL;
            long t = ctl | ((d - ONES) & ~d & HIGHS);
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < to; i++) {
            int b = a[i] & 0xFF;
            if (b < 0x20 || b == 0x7F) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index of the first byte in {@code a[from, to)} that may not appear in a field value (a control byte
     * other than HTAB, or DEL), or -1. Eight bytes at a time while none is below 0x20 or DEL.
     */
    static int firstNonFieldValue(byte[] a, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(a, i);
            long ctl = (x - 0x2020202020202020L) & ~x & HIGHS;
            long d = x ^ 0x7F7F7F7F7F7F7F7FL;
            long del = (d - ONES) & ~d & HIGHS;
            if ((ctl | del) != 0) {
                break;
            }
        }
        for (; i < to; i++) {
            if (!FIELD_VALUE[a[i] & 0xFF]) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code a[off, off+len)} equals {@code lower}, which holds only lower-case letters, digits and '-',
     *  ignoring the case of {@code a}; {@code a} holds token characters. */
    static boolean equalsLower(byte[] a, int off, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if ((a[off + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Whether {@code a[off..off+len)} equals {@code s} ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] a, int off, int len, String s) {
        if (len != s.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int x = a[off + i] & 0xFF;
            int y = s.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list {@code a[off..off+len)} has {@code token} as a member, ignoring case and
     *  OWS around members. */
    static boolean listContains(byte[] a, int off, int len, String token) {
        int end = off + len;
        int i = off;
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
            if (e > s && equalsIgnoreCase(a, s, e - s, token)) {
                return true;
            }
        }
        return false;
    }

    static String string(byte[] a, int off, int len) {
        return new String(a, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** At most 48 bytes of {@code a[off..off+len)}, quoted, with controls and non-ASCII escaped. */
    static String quote(byte[] a, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        int n = Math.min(len, 48);
        for (int i = 0; i < n; i++) {
            appendEscaped(sb, a[off + i] & 0xFF);
        }
        if (n < len) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }

    static String quoteByte(int b) {
        StringBuilder sb = new StringBuilder("'");
        appendEscaped(sb, b & 0xFF);
        return sb.append('\'').toString();
    }

    private static void appendEscaped(StringBuilder sb, int c) {
        if (c == '\r') {
            sb.append("\\r");
        } else if (c == '\n') {
            sb.append("\\n");
        } else if (c == '\t') {
            sb.append("\\t");
        } else if (c == '"' || c == '\\') {
            sb.append('\\').append((char) c);
        } else if (c < 0x20 || c >= 0x7F) {
            sb.append(String.format("\\x%02x", c));
        } else {
            sb.append((char) c);
        }
    }
}
