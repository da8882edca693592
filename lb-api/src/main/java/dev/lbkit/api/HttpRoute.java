package dev.lbkit.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One URL-switching rule of an HTTP virtual server (the appliance's "URL switching", HAProxy's
 * {@code use_backend ... if ...}): a request whose host and path match goes to the real servers of a
 * {@linkplain VirtualServer.Builder#pool() pool}. Rules are tried in order; the first match wins; a request no
 * rule matches goes to the virtual server's own real servers (its default pool).
 *
 * <p>Host: absent (any host), exact ({@code www.example.com}) or wildcard ({@code *.example.com}, which matches
 * any name ending in {@code .example.com} at any depth but not {@code example.com} itself). Hosts compare
 * case-insensitively, without the port and without a trailing dot. Path (of the request target, without the
 * query): absent (any), {@linkplain Builder#pathPrefix prefix}, {@linkplain Builder#pathExact exact} or a
 * {@linkplain Builder#pathRegex regular expression} found anywhere in it ({@link java.util.regex.Matcher#find()},
 * anchor it with {@code ^} and {@code $} as needed). Paths are compared as sent, not percent-decoded.
 *
 * <p>Immutable; equal when host, path rule and pool are equal.
 */
public final class HttpRoute {
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");

    /** How the path is compared. */
    public enum PathMatch {
        /** Any path. */
        ANY,
        /** The path starts with the given text. */
        PREFIX,
        /** The path is the given text. */
        EXACT,
        /** The regular expression is found in the path. */
        REGEX
    }

    private final String host; // null: any; lower case
    private final boolean wildcard;
    private final String hostSuffix; // ".example.com" for "*.example.com"
    private final PathMatch pathMatch;
    private final String path; // null for ANY
    private final Pattern regex; // REGEX only
    private final String pool;

    private HttpRoute(Builder b) {
        this.host = b.host;
        this.wildcard = host != null && host.startsWith("*.");
        this.hostSuffix = wildcard ? host.substring(1) : null;
        this.pathMatch = b.pathMatch;
        this.path = b.path;
        this.regex = b.pathMatch == PathMatch.REGEX ? Pattern.compile(b.path) : null;
        this.pool = b.pool;
    }

    /** A builder for a rule sending matching requests to the pool with this label. */
    public static Builder to(String pool) {
        return new Builder(pool);
    }

    /** The label of the pool matching requests go to. */
    public String pool() {
        return pool;
    }

    /** The host rule in lower case ({@code www.example.com}, {@code *.example.com}); empty for any host. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public PathMatch pathMatch() {
        return pathMatch;
    }

    /** The path text or regular expression; empty for {@link PathMatch#ANY}. */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    /**
     * True when a request for {@code requestHost} and {@code requestPath} matches.
     *
     * @param requestHost the Host header (or the authority of an absolute target), with or without a port,
     *                    any case; null when the request has none (then only rules without a host match)
     * @param requestPath the path of the request target without the query
     */
    public boolean matches(String requestHost, String requestPath) {
        if (host != null) {
            if (requestHost == null) {
                return false;
            }
            String h = normalizeHost(requestHost);
            if (wildcard ? !(h.length() > hostSuffix.length() && h.endsWith(hostSuffix)) : !h.equals(host)) {
                return false;
            }
        }
        switch (pathMatch) {
            case PREFIX:
                return requestPath.startsWith(path);
            case EXACT:
                return requestPath.equals(path);
            case REGEX:
                return regex.matcher(requestPath).find();
            default:
                return true;
        }
    }

    /**
     * A host as rules compare it: lower case, without the port and a trailing dot ({@code WWW.Example.com.:8080}
     * becomes {@code www.example.com}; {@code [::1]:80} becomes {@code [::1]}).
     */
    public static String normalizeHost(String requestHost) {
        String h = requestHost;
        int end = h.length();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && h.charAt(end - 1) == '.') {
            end--;
        }
        h = h.substring(0, end);
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HttpRoute)) {
            return false;
        }
        HttpRoute r = (HttpRoute) o;
        return Objects.equals(host, r.host) && pathMatch == r.pathMatch && Objects.equals(path, r.path)
                && pool.equals(r.pool);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, pathMatch, path, pool);
    }

    /** {@code host *.example.com path prefix /api/ -> api}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append("host ").append(host == null ? "*" : host);
        if (pathMatch != PathMatch.ANY) {
            s.append(" path ").append(pathMatch.name().toLowerCase(Locale.ROOT)).append(' ').append(path);
        }
        return s.append(" -> ").append(pool).toString();
    }

    /** Builds an {@link HttpRoute}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String pool;
        private String host;
        private PathMatch pathMatch = PathMatch.ANY;
        private String path;

        private Builder(String pool) {
            this.pool = pool;
        }

        /** Exact ({@code www.example.com}) or wildcard ({@code *.example.com}) host; null for any host. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Paths starting with {@code prefix} (which starts with {@code /}). */
        public Builder pathPrefix(String prefix) {
            return path(PathMatch.PREFIX, prefix);
        }

        /** Exactly this path. */
        public Builder pathExact(String path) {
            return path(PathMatch.EXACT, path);
        }

        /** Paths in which this regular expression is found. */
        public Builder pathRegex(String regex) {
            return path(PathMatch.REGEX, regex);
        }

        private Builder path(PathMatch match, String text) {
            this.pathMatch = match;
            this.path = text;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the field and the value
         */
        public HttpRoute build() {
            try {
                Validation.label(pool, "route pool");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("http route: " + e.getMessage(), e);
            }
            String where = "http route to pool '" + pool + "': ";
            if (host != null) {
                String h = host.toLowerCase(Locale.ROOT);
                Validation.check(h.length() <= 253 && HOST.matcher(h).matches(), where
                        + "host must be a name like www.example.com or *.example.com but was '%s'", host);
                host = h;
            }
            switch (pathMatch) {
                case PREFIX:
                case EXACT:
                    Validation.check(path != null && PATH.matcher(path).matches(), where + "path "
                            + pathMatch.name().toLowerCase(Locale.ROOT)
                            + " must start with '/' and hold no space or control character but was %s",
                            path == null ? "null" : "'" + path + "'");
                    break;
                case REGEX:
                    Validation.check(path != null && !path.isEmpty(), where + "path regex must not be empty");
                    try {
                        Pattern.compile(path);
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException(where + "path regex '" + path + "' is not a valid "
                                + "regular expression: " + e.getDescription(), e);
                    }
                    break;
                default:
            }
            return new HttpRoute(this);
        }
    }
}
