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

    private Ascii() {
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

    static String quote(java.nio.ByteBuffer b, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        int n = Math.min(len, 48);
        for (int i = 0; i < n; i++) {
            appendEscaped(sb, b.get(off + i) & 0xFF);
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
