package dev.lbkit.proxy;

import dev.lbkit.proxy.http.HttpLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings of the Layer 7 HTTP proxy ({@code ForwardingMethod.HTTP}) for one virtual server or pool, part of
 * its {@link ProxyOptions#http()}. Immutable; built with {@link #builder()}, whose setters validate and throw
 * {@link IllegalArgumentException} naming the field and value.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #limits()}</td><td>{@link HttpLimits#defaults()}</td><td>request line, header section, header
 *       count and chunk line limits of the parser (414, 431 beyond them)</td></tr>
 *   <tr><td>{@link #clientHeaderTimeout()}</td><td>10 s</td><td>the longest a client may take to send a request
 *       head once it started one (slowloris): 408 and close</td></tr>
 *   <tr><td>{@link #keepAliveTimeout()}</td><td>30 s</td><td>how long an idle client connection is kept open
 *       between requests</td></tr>
 *   <tr><td>{@link #serverResponseTimeout()}</td><td>60 s</td><td>the longest a real server may stay silent while
 *       a response is due: 504 (or a close when the response had started)</td></tr>
 *   <tr><td>{@link #serverIdleTimeout()}</td><td>15 s</td><td>how long an idle connection to a real server is
 *       kept for reuse (keep it below the servers' own keep-alive timeout)</td></tr>
 *   <tr><td>{@link #maxIdleServerConnections()}</td><td>1024</td><td>idle connections kept per real server and
 *       I/O thread (never more than were in use at once; each is closed after {@link #serverIdleTimeout()})</td></tr>
 *   <tr><td>{@link #xForwarded()}</td><td>{@link Forwarded#APPEND}</td><td>{@code X-Forwarded-For} (append the
 *       client, or replace the field), {@code X-Forwarded-Proto} and {@code X-Forwarded-Port} (set)</td></tr>
 *   <tr><td>{@link #forwarded()}</td><td>{@link Forwarded#OFF}</td><td>RFC 7239 {@code Forwarded:
 *       for=...;proto=...;host=...} appended to or replacing the field</td></tr>
 *   <tr><td>{@link #requestHeaderRules()}, {@link #responseHeaderRules()}</td><td>none</td><td>set or remove
 *       header fields, in order, after the proxy's own edits</td></tr>
 *   <tr><td>{@link #errorPage(int)}</td><td>a small built-in page</td><td>the body (and content type) of the
 *       400..505 answers the proxy makes itself</td></tr>
 *   <tr><td>{@link #accessLog()}</td><td>false</td><td>one line per request on the SLF4J logger
 *       {@code dev.lbkit.proxy.access} at INFO</td></tr>
 *   <tr><td>{@link #cookieValue(String)}</td><td>a hash of the label</td><td>the server id a persistence cookie
 *       carries for a real server (HAProxy's {@code cookie <value>} of a server); with
 *       {@link #cookieValueIsLabel()} the label itself</td></tr>
 *   <tr><td>{@link #learnedCookies()}, {@link #learnedCookieTimeout()}</td><td>100,000 and 30 min</td><td>the
 *       bound and expiry of the table a PASSIVE cookie is learned into</td></tr>
 * </table>
 */
public final class HttpOptions {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern COOKIE_VALUE = Pattern.compile("[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]+");
    private static final HttpOptions DEFAULTS = builder().build();

    /** What the proxy does with a forwarding header. */
    public enum Forwarded {
        /** Leaves the field as the client sent it. */
        OFF,
        /** Appends this hop (the client's address) to what the client sent. */
        APPEND,
        /** Replaces what the client sent with this hop only (the client is not trusted to say). */
        REPLACE
    }

    /** A header edit: set (replace every field of the name by one) or remove. */
    public record HeaderRule(String name, String value) {
        /** @param value the value to set; null removes the field */
        public HeaderRule {
            if (name == null || !TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("http options: header rule name must be a token but was "
                        + (name == null ? "null" : "'" + name + "'"));
            }
            if (value != null) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                        throw new IllegalArgumentException("http options: header rule '" + name
                                + "': value has a control character at index " + i);
                    }
                }
                value = value.strip();
            }
        }

        /** A rule setting {@code name} to {@code value}. */
        public static HeaderRule set(String name, String value) {
            Objects.requireNonNull(value, "value");
            return new HeaderRule(name, value);
        }

        /** A rule removing every {@code name} field. */
        public static HeaderRule remove(String name) {
            return new HeaderRule(name, null);
        }
    }

    /** A custom error page: its content type and body. */
    public record ErrorPage(String contentType, byte[] body) {
        public ErrorPage {
            Objects.requireNonNull(contentType, "contentType");
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        byte[] bodyUnsafe() {
            return body;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ErrorPage p && contentType.equals(p.contentType)
                    && java.util.Arrays.equals(body, p.body);
        }

        @Override
        public int hashCode() {
            return contentType.hashCode() * 31 + java.util.Arrays.hashCode(body);
        }
    }

    private final HttpLimits limits;
    private final Duration clientHeaderTimeout;
    private final Duration keepAliveTimeout;
    private final Duration serverResponseTimeout;
    private final Duration serverIdleTimeout;
    private final int maxIdleServerConnections;
    private final Forwarded xForwarded;
    private final Forwarded forwarded;
    private final List<HeaderRule> requestHeaderRules;
    private final List<HeaderRule> responseHeaderRules;
    private final Map<Integer, ErrorPage> errorPages;
    private final boolean accessLog;
    private final Map<String, String> cookieValues;
    private final boolean cookieValueIsLabel;
    private final int learnedCookies;
    private final Duration learnedCookieTimeout;

    private HttpOptions(Builder b) {
        this.limits = b.limits;
        this.clientHeaderTimeout = b.clientHeaderTimeout;
        this.keepAliveTimeout = b.keepAliveTimeout;
        this.serverResponseTimeout = b.serverResponseTimeout;
        this.serverIdleTimeout = b.serverIdleTimeout;
        this.maxIdleServerConnections = b.maxIdleServerConnections;
        this.xForwarded = b.xForwarded;
        this.forwarded = b.forwarded;
        this.requestHeaderRules = List.copyOf(b.requestHeaderRules);
        this.responseHeaderRules = List.copyOf(b.responseHeaderRules);
        this.errorPages = Map.copyOf(b.errorPages);
        this.accessLog = b.accessLog;
        this.cookieValues = Map.copyOf(b.cookieValues);
        this.cookieValueIsLabel = b.cookieValueIsLabel;
        this.learnedCookies = b.learnedCookies;
        this.learnedCookieTimeout = b.learnedCookieTimeout;
    }

    /** The defaults listed on this class. */
    public static HttpOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.limits = limits;
        b.clientHeaderTimeout = clientHeaderTimeout;
        b.keepAliveTimeout = keepAliveTimeout;
        b.serverResponseTimeout = serverResponseTimeout;
        b.serverIdleTimeout = serverIdleTimeout;
        b.maxIdleServerConnections = maxIdleServerConnections;
        b.xForwarded = xForwarded;
        b.forwarded = forwarded;
        b.requestHeaderRules.addAll(requestHeaderRules);
        b.responseHeaderRules.addAll(responseHeaderRules);
        b.errorPages.putAll(errorPages);
        b.accessLog = accessLog;
        b.cookieValues.putAll(cookieValues);
        b.cookieValueIsLabel = cookieValueIsLabel;
        b.learnedCookies = learnedCookies;
        b.learnedCookieTimeout = learnedCookieTimeout;
        return b;
    }

    public HttpLimits limits() {
        return limits;
    }

    public Duration clientHeaderTimeout() {
        return clientHeaderTimeout;
    }

    public Duration keepAliveTimeout() {
        return keepAliveTimeout;
    }

    public Duration serverResponseTimeout() {
        return serverResponseTimeout;
    }

    public Duration serverIdleTimeout() {
        return serverIdleTimeout;
    }

    public int maxIdleServerConnections() {
        return maxIdleServerConnections;
    }

    public Forwarded xForwarded() {
        return xForwarded;
    }

    public Forwarded forwarded() {
        return forwarded;
    }

    public List<HeaderRule> requestHeaderRules() {
        return requestHeaderRules;
    }

    public List<HeaderRule> responseHeaderRules() {
        return responseHeaderRules;
    }

    /** The custom page for a status the proxy answers itself, or null for the built-in one. */
    public ErrorPage errorPage(int status) {
        return errorPages.get(status);
    }

    public boolean accessLog() {
        return accessLog;
    }

    /** The configured cookie server id of a real server (by label), or null. */
    public String cookieValue(String realServerLabel) {
        return cookieValues.get(realServerLabel);
    }

    public boolean cookieValueIsLabel() {
        return cookieValueIsLabel;
    }

    public int learnedCookies() {
        return learnedCookies;
    }

    public Duration learnedCookieTimeout() {
        return learnedCookieTimeout;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HttpOptions)) {
            return false;
        }
        HttpOptions h = (HttpOptions) o;
        return limits.equals(h.limits) && clientHeaderTimeout.equals(h.clientHeaderTimeout)
                && keepAliveTimeout.equals(h.keepAliveTimeout) && serverResponseTimeout.equals(h.serverResponseTimeout)
                && serverIdleTimeout.equals(h.serverIdleTimeout)
                && maxIdleServerConnections == h.maxIdleServerConnections && xForwarded == h.xForwarded
                && forwarded == h.forwarded && requestHeaderRules.equals(h.requestHeaderRules)
                && responseHeaderRules.equals(h.responseHeaderRules) && errorPages.equals(h.errorPages)
                && accessLog == h.accessLog && cookieValues.equals(h.cookieValues)
                && cookieValueIsLabel == h.cookieValueIsLabel && learnedCookies == h.learnedCookies
                && learnedCookieTimeout.equals(h.learnedCookieTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limits, clientHeaderTimeout, keepAliveTimeout, serverResponseTimeout, serverIdleTimeout,
                maxIdleServerConnections, xForwarded, forwarded, requestHeaderRules, responseHeaderRules, errorPages,
                accessLog, cookieValues, cookieValueIsLabel, learnedCookies, learnedCookieTimeout);
    }

    @Override
    public String toString() {
        return "HttpOptions{limits=" + limits + ", clientHeaderTimeout=" + clientHeaderTimeout + ", keepAliveTimeout="
                + keepAliveTimeout + ", serverResponseTimeout=" + serverResponseTimeout + ", serverIdleTimeout="
                + serverIdleTimeout + ", maxIdleServerConnections=" + maxIdleServerConnections + ", xForwarded="
                + xForwarded + ", forwarded=" + forwarded + ", requestHeaderRules=" + requestHeaderRules
                + ", responseHeaderRules=" + responseHeaderRules + ", errorPages=" + errorPages.keySet()
                + ", accessLog=" + accessLog + ", cookieValues=" + cookieValues + ", cookieValueIsLabel="
                + cookieValueIsLabel + ", learnedCookies=" + learnedCookies + ", learnedCookieTimeout="
                + learnedCookieTimeout + '}';
    }

    /** Builds {@link HttpOptions}. Not thread-safe. */
    public static final class Builder {
        private HttpLimits limits = HttpLimits.defaults();
        private Duration clientHeaderTimeout = Duration.ofSeconds(10);
        private Duration keepAliveTimeout = Duration.ofSeconds(30);
        private Duration serverResponseTimeout = Duration.ofSeconds(60);
        private Duration serverIdleTimeout = Duration.ofSeconds(15);
        private int maxIdleServerConnections = 1024;
        private Forwarded xForwarded = Forwarded.APPEND;
        private Forwarded forwarded = Forwarded.OFF;
        private final List<HeaderRule> requestHeaderRules = new ArrayList<>();
        private final List<HeaderRule> responseHeaderRules = new ArrayList<>();
        private final Map<Integer, ErrorPage> errorPages = new LinkedHashMap<>();
        private boolean accessLog;
        private final Map<String, String> cookieValues = new LinkedHashMap<>();
        private boolean cookieValueIsLabel;
        private int learnedCookies = 100_000;
        private Duration learnedCookieTimeout = Duration.ofMinutes(30);

        private Builder() {}

        public Builder limits(HttpLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder clientHeaderTimeout(Duration timeout) {
            this.clientHeaderTimeout = positive(timeout, "clientHeaderTimeout");
            return this;
        }

        public Builder keepAliveTimeout(Duration timeout) {
            this.keepAliveTimeout = positive(timeout, "keepAliveTimeout");
            return this;
        }

        public Builder serverResponseTimeout(Duration timeout) {
            this.serverResponseTimeout = positive(timeout, "serverResponseTimeout");
            return this;
        }

        public Builder serverIdleTimeout(Duration timeout) {
            this.serverIdleTimeout = positive(timeout, "serverIdleTimeout");
            return this;
        }

        /**
         * 0..100,000 (default 1024); 0 closes every server connection after its response. Idle connections are
         * only ever those a burst had in use at once, so a high limit does not raise the peak number of open
         * descriptors; a low one makes the proxy close connections after a burst and open them again for the
         * next (with 64 and 400 concurrent requests, a third of all requests connected anew).
         */
        public Builder maxIdleServerConnections(int connections) {
            check(connections >= 0 && connections <= 100_000,
                    "maxIdleServerConnections must be 0..100000 but was %s", connections);
            this.maxIdleServerConnections = connections;
            return this;
        }

        public Builder xForwarded(Forwarded mode) {
            this.xForwarded = Objects.requireNonNull(mode, "xForwarded");
            return this;
        }

        public Builder forwarded(Forwarded mode) {
            this.forwarded = Objects.requireNonNull(mode, "forwarded");
            return this;
        }

        /** Appends a rule applied to requests before they are forwarded. */
        public Builder requestHeaderRule(HeaderRule rule) {
            this.requestHeaderRules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Appends a rule applied to responses before they are forwarded. */
        public Builder responseHeaderRule(HeaderRule rule) {
            this.responseHeaderRules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** The page for one of the statuses the proxy answers itself: 400, 408, 411, 414, 431, 501, 502, 503,
         *  504, 505. */
        public Builder errorPage(int status, String contentType, String body) {
            check(status == 400 || status == 408 || status == 411 || status == 414 || status == 431
                    || status == 501 || status == 502 || status == 503 || status == 504 || status == 505,
                    "errorPage status must be one the proxy answers (400 408 411 414 431 501 502 503 504 505) "
                            + "but was %s", status);
            check(contentType != null && !contentType.isBlank() && contentType.chars().allMatch(c -> c >= 0x20
                    && c < 0x7f), "errorPage %s: contentType must be visible ASCII but was %s", status, contentType);
            Objects.requireNonNull(body, "body");
            this.errorPages.put(status, new ErrorPage(contentType,
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return this;
        }

        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        /** The server id a persistence cookie carries for the real server with this label. */
        public Builder cookieValue(String realServerLabel, String value) {
            Objects.requireNonNull(realServerLabel, "realServerLabel");
            check(value != null && value.length() <= 64 && COOKIE_VALUE.matcher(value).matches()
                    && value.indexOf('~') < 0, "cookieValue for '%s' must be 1..64 cookie-octets without '~' but "
                            + "was %s", realServerLabel, value == null ? "null" : "'" + value + "'");
            this.cookieValues.put(realServerLabel, value);
            return this;
        }

        /** Cookies carry the real server's label (as configured, unless {@link #cookieValue} sets one). */
        public Builder cookieValueIsLabel(boolean on) {
            this.cookieValueIsLabel = on;
            return this;
        }

        /** Most PASSIVE cookie values remembered, 1..10,000,000. */
        public Builder learnedCookies(int entries) {
            check(entries >= 1 && entries <= 10_000_000, "learnedCookies must be 1..10000000 but was %s", entries);
            this.learnedCookies = entries;
            return this;
        }

        public Builder learnedCookieTimeout(Duration timeout) {
            this.learnedCookieTimeout = positive(timeout, "learnedCookieTimeout");
            return this;
        }

        public HttpOptions build() {
            return new HttpOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            check(!d.isNegative() && !d.isZero(), "%s must be positive but was %s", name, d);
            return d;
        }

        private static void check(boolean ok, String format, Object... args) {
            if (!ok) {
                throw new IllegalArgumentException("http options: " + String.format(Locale.ROOT, format, args));
            }
        }
    }
}
