package dev.lbkit.proxy;

import dev.lbkit.api.CookiePersistence;
import dev.lbkit.proxy.http.HttpHead;

/**
 * Reading and editing cookies in heads: {@code Cookie} request fields ({@code a=1; b=2}, RFC 6265 section 4.2)
 * and {@code Set-Cookie} response fields ({@code name=value; attributes}). Names compare exactly (cookie names
 * are case-sensitive). Stateless.
 */
final class Cookies {
    /** Separates the server id from the application's value in PREFIX mode (HAProxy's delimiter). */
    static final char PREFIX_DELIMITER = '~';

    private Cookies() {}

    /** The value of the first cookie named {@code name} in the request's Cookie fields, or null. */
    static String find(HttpHead h, String name) {
        for (int i = h.indexOf("Cookie"); i >= 0; i = h.indexOf("Cookie", i + 1)) {
            String v = h.value(i);
            int at = 0;
            while (at < v.length()) {
                int end = v.indexOf(';', at);
                if (end < 0) {
                    end = v.length();
                }
                int eq = v.indexOf('=', at);
                if (eq > at && eq < end && v.substring(at, eq).strip().equals(name)) {
                    return v.substring(eq + 1, end).strip();
                }
                at = end + 1;
            }
        }
        return null;
    }

    /**
     * Rewrites the cookies named {@code name} in the request: removed when {@code newValue} is null, else given
     * that value. A Cookie field left empty is removed.
     */
    static void rewrite(HttpHead h, String name, String newValue) {
        for (int i = h.indexOf("Cookie"); i >= 0; ) {
            String v = h.value(i);
            StringBuilder out = new StringBuilder(v.length());
            boolean changed = false;
            int at = 0;
            while (at < v.length()) {
                int end = v.indexOf(';', at);
                if (end < 0) {
                    end = v.length();
                }
                String pair = v.substring(at, end).strip();
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
                    changed = true;
                    if (newValue != null) {
                        append(out, name + "=" + newValue);
                    }
                } else if (!pair.isEmpty()) {
                    append(out, pair);
                }
                at = end + 1;
            }
            if (!changed) {
                i = h.indexOf("Cookie", i + 1);
            } else if (out.length() == 0) {
                h.removeAt(i);
                i = h.indexOf("Cookie", i);
            } else {
                h.setValue(i, out.toString());
                i = h.indexOf("Cookie", i + 1);
            }
        }
    }

    private static void append(StringBuilder out, String pair) {
        if (out.length() > 0) {
            out.append("; ");
        }
        out.append(pair);
    }

    /** The cookie name of a Set-Cookie value, or null when it has no {@code =}. */
    static String setCookieName(String field) {
        int eq = field.indexOf('=');
        int semi = field.indexOf(';');
        if (eq <= 0 || (semi >= 0 && semi < eq)) {
            return null;
        }
        return field.substring(0, eq).strip();
    }

    /** The cookie value of a Set-Cookie value. */
    static String setCookieValue(String field) {
        int eq = field.indexOf('=');
        int semi = field.indexOf(';', eq);
        return field.substring(eq + 1, semi < 0 ? field.length() : semi).strip();
    }

    /** The Set-Cookie value with its cookie value replaced, attributes kept. */
    static String withValue(String field, String value) {
        int eq = field.indexOf('=');
        int semi = field.indexOf(';', eq);
        return field.substring(0, eq).strip() + "=" + value + (semi < 0 ? "" : field.substring(semi));
    }

    /** The Set-Cookie value the proxy inserts (INSERT mode) for server id {@code id}. */
    static String insert(CookiePersistence c, String id) {
        StringBuilder s = new StringBuilder(64).append(c.name()).append('=').append(id);
        c.path().ifPresent(p -> s.append("; Path=").append(p));
        c.domain().ifPresent(d -> s.append("; Domain=").append(d));
        c.maxAge().ifPresent(m -> s.append("; Max-Age=").append(m.getSeconds()));
        if (c.secure()) {
            s.append("; Secure");
        }
        if (c.httpOnly()) {
            s.append("; HttpOnly");
        }
        c.sameSite().ifPresent(ss -> s.append("; SameSite=").append(switch (ss) {
            case STRICT -> "Strict";
            case LAX -> "Lax";
            case NONE -> "None";
        }));
        return s.toString();
    }
}
