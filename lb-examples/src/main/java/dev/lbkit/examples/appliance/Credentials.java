package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the REST API. There are no default credentials: the admin password is a PBKDF2 hash from the
 * configuration file ({@code admin.passwordHash}) or one set once through the setup token, which a start
 * without any password prints; API tokens (for automation) are stored as SHA-256 digests. Everything lives in
 * {@code credentials.properties} in the state directory, owner-only, written atomically.
 */
final class Credentials {
    static final String ADMIN = "admin";
    private static final long BASIC_CACHE_NANOS = 300_000_000_000L;

    private final Path file;
    private final Optional<String> configuredHash;
    private volatile String storedHash; // nullable
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // name -> digest
    private volatile String setupToken; // nullable: only while no password exists
    /** Digest of an accepted Basic header -> when it was accepted, so PBKDF2 runs once per client session. */
    private final Map<String, Long> basicCache = new ConcurrentHashMap<>();

    Credentials(Path file, Optional<String> configuredHash) throws IOException {
        this.file = file;
        this.configuredHash = configuredHash;
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            storedHash = p.getProperty("password");
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("token.")) {
                    tokens.put(k.substring(6), p.getProperty(k));
                }
            }
        }
        if (!hasPassword()) {
            setupToken = Passwords.secret("setup-");
        }
    }

    boolean hasPassword() {
        return configuredHash.isPresent() || storedHash != null;
    }

    /** The one-time setup token while no password is set, else empty. */
    Optional<String> setupToken() {
        return Optional.ofNullable(setupToken);
    }

    /**
     * Who an Authorization header authenticates, if anyone: {@code admin} (Basic with the password),
     * {@code token:NAME} (Bearer with an API token), or {@code setup} (Bearer with the setup token).
     */
    Optional<String> authenticate(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            String s = setupToken;
            if (s != null && Passwords.constantTimeEquals(s, token)) {
                return Optional.of("setup");
            }
            String digest = Passwords.tokenDigest(token);
            for (Map.Entry<String, String> e : tokens.entrySet()) {
                if (Passwords.constantTimeEquals(e.getValue(), digest)) {
                    return Optional.of("token:" + e.getKey());
                }
            }
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String key = Passwords.tokenDigest(authorization);
            Long at = basicCache.get(key);
            if (at != null && System.nanoTime() - at < BASIC_CACHE_NANOS) {
                return Optional.of(ADMIN);
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0 || !decoded.substring(0, colon).equals(ADMIN)) {
                return Optional.empty();
            }
            String hash = configuredHash.orElse(storedHash);
            if (hash != null && Passwords.verify(decoded.substring(colon + 1).toCharArray(), hash)) {
                basicCache.put(key, System.nanoTime());
                return Optional.of(ADMIN);
            }
        }
        return Optional.empty();
    }

    /** Sets the admin password once (with the setup token); afterwards the setup token is gone. */
    synchronized void setPassword(char[] password) throws IOException {
        storedHash = Passwords.hash(password);
        setupToken = null;
        basicCache.clear();
        save();
    }

    /** Creates (or replaces) an API token and returns it; only its digest is kept. */
    synchronized String createToken(String name) throws IOException {
        String token = Passwords.secret("lbk_");
        tokens.put(name, Passwords.tokenDigest(token));
        save();
        return token;
    }

    synchronized boolean deleteToken(String name) throws IOException {
        boolean removed = tokens.remove(name) != null;
        if (removed) {
            save();
        }
        return removed;
    }

    java.util.List<String> tokenNames() {
        return new java.util.ArrayList<>(new TreeMap<>(tokens).keySet());
    }

    private void save() throws IOException {
        Properties p = new Properties();
        if (storedHash != null) {
            p.setProperty("password", storedHash);
        }
        tokens.forEach((k, v) -> p.setProperty("token." + k, v));
        StringWriter w = new StringWriter();
        p.store(w, "lbkit appliance credentials: hashes only");
        ConfigStore.atomicWrite(file, w.toString().getBytes(StandardCharsets.UTF_8));
        StateDirectory.ownerOnly(file);
    }
}
