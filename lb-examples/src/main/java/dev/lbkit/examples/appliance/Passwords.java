package dev.lbkit.examples.appliance;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes ({@code pbkdf2-sha256:ITERATIONS:SALT:HASH}, salt and hash in Base64, PBKDF2WithHmacSHA256,
 * 16-byte salt, 32-byte hash, 310,000 iterations by default as OWASP advises) and random secrets for setup and
 * API tokens. Comparisons take constant time.
 */
final class Passwords {
    static final int ITERATIONS = 310_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {}

    static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = pbkdf2(password, salt, iterations);
        return "pbkdf2-sha256:" + iterations + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(h);
    }

    static boolean isHash(String text) {
        String[] p = text.split(":");
        if (p.length != 4 || !p[0].equals("pbkdf2-sha256")) {
            return false;
        }
        try {
            int it = Integer.parseInt(p[1]);
            return it >= 1000 && Base64.getDecoder().decode(p[2]).length >= 8
                    && Base64.getDecoder().decode(p[3]).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean verify(char[] password, String hash) {
        if (!isHash(hash)) {
            return false;
        }
        String[] p = hash.split(":");
        byte[] expected = Base64.getDecoder().decode(p[3]);
        byte[] actual = pbkdf2(password, Base64.getDecoder().decode(p[2]), Integer.parseInt(p[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    /** A random secret of 32 bytes, URL-safe Base64 without padding, with a prefix naming its use. */
    static String secret(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** SHA-256 of a token, hex: what is stored for API tokens (they are long random secrets, so no salt). */
    static String tokenDigest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder();
            for (byte x : d) {
                s.append(String.format("%02x", x));
            }
            return s.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
