package dev.lbkit.api;

import java.time.Duration;
import java.util.regex.Pattern;

/** Argument checks whose messages are formatted only on failure. */
final class Validation {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Validation() {}

    static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    static <T> T notNull(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return value;
    }

    /** Labels become metric and file names: 1 to 64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit. */
    static String label(String label, String what) {
        check(label != null && LABEL.matcher(label).matches(),
                "%s label must be 1..64 characters of [A-Za-z0-9._-] starting with a letter or digit but was %s",
                what, label == null ? "null" : "'" + label + "'");
        return label;
    }

    static int range(int value, int min, int max, String field) {
        check(value >= min && value <= max, "%s must be %d..%d but was %d", field, min, max, value);
        return value;
    }

    static Duration positive(Duration value, String field) {
        notNull(value, field);
        check(!value.isNegative() && !value.isZero(), "%s must be positive but was %s", field, value);
        return value;
    }
}
