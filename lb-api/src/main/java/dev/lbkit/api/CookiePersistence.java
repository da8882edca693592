package dev.lbkit.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Cookie persistence for the HTTP proxy, with HAProxy's {@code cookie} keyword as the reference for its
 * semantics. Immutable; built with {@link #builder(Mode, String)}.
 *
 * <p>Defaults: no Path, Domain or Max-Age (a session cookie), not Secure, HttpOnly, no SameSite;
 * {@code indirect}, {@code nocache} and {@code postonly} off; a cookie naming an unavailable server
 * redispatches.
 */
public final class CookiePersistence implements PersistencePolicy {
    /** RFC 6265 cookie-name: an RFC 9110 token. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Characters allowed in Path and Domain attribute values (RFC 6265 av-octet without ';'). */
    private static final Pattern ATTRIBUTE_VALUE = Pattern.compile("[\\x20-\\x3a\\x3c-\\x7e]+");

    /** How the proxy uses the cookie. */
    public enum Mode {
        /** The proxy sets its own cookie naming the server (HAProxy {@code insert}). */
        INSERT,
        /** The application sets the cookie; the proxy rewrites its value to the server id ({@code rewrite}). */
        REWRITE,
        /** The server id is prefixed to the application's cookie value and stripped before forwarding. */
        PREFIX,
        /** The proxy learns the application's own session cookie (e.g. JSESSIONID) and routes on it. */
        PASSIVE
    }

    /** The SameSite attribute. */
    public enum SameSite {
        STRICT,
        LAX,
        NONE
    }

    private final Mode mode;
    private final String name;
    private final String path;
    private final String domain;
    private final Duration maxAge;
    private final boolean secure;
    private final boolean httpOnly;
    private final SameSite sameSite;
    private final boolean indirect;
    private final boolean noCache;
    private final boolean postOnly;
    private final boolean redispatchWhenUnavailable;

    private CookiePersistence(Builder b) {
        this.mode = b.mode;
        this.name = b.name;
        this.path = b.path;
        this.domain = b.domain;
        this.maxAge = b.maxAge;
        this.secure = b.secure;
        this.httpOnly = b.httpOnly;
        this.sameSite = b.sameSite;
        this.indirect = b.indirect;
        this.noCache = b.noCache;
        this.postOnly = b.postOnly;
        this.redispatchWhenUnavailable = b.redispatchWhenUnavailable;
    }

    /** A builder for a cookie of this mode and name. */
    public static Builder builder(Mode mode, String name) {
        return new Builder(mode, name);
    }

    /** A builder holding these values. */
    public Builder toBuilder() {
        Builder b = new Builder(mode, name);
        b.path = path;
        b.domain = domain;
        b.maxAge = maxAge;
        b.secure = secure;
        b.httpOnly = httpOnly;
        b.sameSite = sameSite;
        b.indirect = indirect;
        b.noCache = noCache;
        b.postOnly = postOnly;
        b.redispatchWhenUnavailable = redispatchWhenUnavailable;
        return b;
    }

    public Mode mode() {
        return mode;
    }

    /** The cookie name (an RFC 6265 token). */
    public String name() {
        return name;
    }

    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    /** Max-Age; empty for a session cookie. */
    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    public boolean secure() {
        return secure;
    }

    public boolean httpOnly() {
        return httpOnly;
    }

    public Optional<SameSite> sameSite() {
        return Optional.ofNullable(sameSite);
    }

    /** HAProxy {@code indirect}: a client that already has a valid cookie is not sent it again. */
    public boolean indirect() {
        return indirect;
    }

    /** HAProxy {@code nocache}: responses that set the cookie get {@code Cache-Control: private}. */
    public boolean noCache() {
        return noCache;
    }

    /** HAProxy {@code postonly}: the cookie is inserted only in responses to POST requests. */
    public boolean postOnly() {
        return postOnly;
    }

    /** Whether a cookie naming a down or offline server is scheduled afresh (true) or refused with 503. */
    public boolean redispatchWhenUnavailable() {
        return redispatchWhenUnavailable;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CookiePersistence)) {
            return false;
        }
        CookiePersistence c = (CookiePersistence) o;
        return mode == c.mode && name.equals(c.name) && Objects.equals(path, c.path)
                && Objects.equals(domain, c.domain) && Objects.equals(maxAge, c.maxAge) && secure == c.secure
                && httpOnly == c.httpOnly && sameSite == c.sameSite && indirect == c.indirect
                && noCache == c.noCache && postOnly == c.postOnly
                && redispatchWhenUnavailable == c.redispatchWhenUnavailable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, name, path, domain, maxAge, secure, httpOnly, sameSite, indirect, noCache,
                postOnly, redispatchWhenUnavailable);
    }

    @Override
    public String toString() {
        return "cookie(" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", " + name + ")";
    }

    /** Builds a {@link CookiePersistence}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final Mode mode;
        private final String name;
        private String path;
        private String domain;
        private Duration maxAge;
        private boolean secure;
        private boolean httpOnly = true;
        private SameSite sameSite;
        private boolean indirect;
        private boolean noCache;
        private boolean postOnly;
        private boolean redispatchWhenUnavailable = true;

        private Builder(Mode mode, String name) {
            this.mode = mode;
            this.name = name;
        }

        public Builder path(String path) {
            this.path = path;
            return this;
        }

        public Builder domain(String domain) {
            this.domain = domain;
            return this;
        }

        /** Max-Age in whole seconds; null for a session cookie (the default). */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        public Builder httpOnly(boolean httpOnly) {
            this.httpOnly = httpOnly;
            return this;
        }

        public Builder sameSite(SameSite sameSite) {
            this.sameSite = sameSite;
            return this;
        }

        public Builder indirect(boolean indirect) {
            this.indirect = indirect;
            return this;
        }

        public Builder noCache(boolean noCache) {
            this.noCache = noCache;
            return this;
        }

        public Builder postOnly(boolean postOnly) {
            this.postOnly = postOnly;
            return this;
        }

        public Builder redispatchWhenUnavailable(boolean redispatch) {
            this.redispatchWhenUnavailable = redispatch;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the field and the value
         */
        public CookiePersistence build() {
            Validation.notNull(mode, "cookie mode");
            Validation.check(name != null && TOKEN.matcher(name).matches(),
                    "cookie name must be an RFC 6265 token but was %s", name == null ? "null" : "'" + name + "'");
            Validation.check(path == null || (path.startsWith("/") && ATTRIBUTE_VALUE.matcher(path).matches()),
                    "cookie path must start with '/' and hold no ';' or control character but was '%s'", path);
            Validation.check(domain == null || ATTRIBUTE_VALUE.matcher(domain).matches() && !domain.contains(" "),
                    "cookie domain must hold no space, ';' or control character but was '%s'", domain);
            Validation.check(maxAge == null || (!maxAge.isNegative() && maxAge.getNano() == 0),
                    "cookie maxAge must be whole seconds, 0 or more, but was %s", maxAge);
            Validation.check(sameSite != SameSite.NONE || secure,
                    "cookie '%s': SameSite=None requires Secure (browsers drop it otherwise)", name);
            Validation.check(!(mode == Mode.PASSIVE && (indirect || postOnly)),
                    "cookie '%s': indirect and postonly apply to cookies the proxy inserts, not to PASSIVE", name);
            return new CookiePersistence(this);
        }
    }
}
