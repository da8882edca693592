package dev.lbkit.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a virtual server's real servers are checked: a specification only; lb-health runs it. Every kind carries
 * {@link CheckSettings} (interval, timeout, rise, fall, failure action); {@link #none()} means real servers
 * are taken as up.
 */
public sealed interface HealthCheck
        permits HealthCheck.None, HealthCheck.Connect, HealthCheck.Http, HealthCheck.SendExpect, HealthCheck.External {

    /** The timing and failure action. */
    CheckSettings settings();

    /** No check: every real server counts as up. */
    static None none() {
        return None.INSTANCE;
    }

    /** A TCP connect check with default settings. */
    static Connect connect() {
        return new Connect(CheckSettings.defaults());
    }

    /** An HTTP check of {@code GET path} expecting a 2xx or 3xx status; see {@link Http#withStatus}. */
    static Http http(String path) {
        return new Http(CheckSettings.defaults(), "GET", path, Optional.empty(), List.of(new StatusRange(200, 399)),
                Optional.empty(), false);
    }

    /** A TCP script of sends and regular-expression expects, run in order. */
    static SendExpect sendExpect(List<SendExpect.Step> steps) {
        return new SendExpect(CheckSettings.defaults(), steps);
    }

    /**
     * An external command: exit status 0 is up. It gets the real server's address, port and label (see
     * lb-health for the exact arguments and environment).
     */
    static External external(String command, List<String> args) {
        return new External(CheckSettings.defaults(), command, args);
    }

    /** A copy of this check with other settings ({@link #none()} stays none). */
    HealthCheck withSettings(CheckSettings settings);

    /** No health check. */
    final class None implements HealthCheck {
        static final None INSTANCE = new None();

        private None() {}

        @Override
        public CheckSettings settings() {
            return CheckSettings.defaults();
        }

        @Override
        public HealthCheck withSettings(CheckSettings settings) {
            return this;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /** Up when a TCP connection to the real server (or {@link CheckSettings#port()}) opens in time. */
    record Connect(CheckSettings settings) implements HealthCheck {
        public Connect {
            Validation.notNull(settings, "health check settings");
        }

        @Override
        public Connect withSettings(CheckSettings settings) {
            return new Connect(settings);
        }
    }

    /** An inclusive range of HTTP status codes, 100..599. */
    record StatusRange(int from, int to) {
        public StatusRange {
            Validation.range(from, 100, 599, "expected status");
            Validation.range(to, from, 599, "expected status range end");
        }

        public boolean contains(int status) {
            return status >= from && status <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    /**
     * Up when an HTTP(S) request answers with an expected status (and, when given, a body matching the regular
     * expression).
     *
     * @param method         an RFC 9110 method token, e.g. {@code GET} or {@code HEAD}
     * @param path           the request target, starting with '/'
     * @param host           the Host header; empty for the real server's address
     * @param expectedStatus the status codes counted as up; not empty
     * @param bodyRegex      a Java regular expression that must be found in the body
     * @param tls            HTTPS instead of HTTP
     */
    record Http(CheckSettings settings, String method, String path, Optional<String> host,
            List<StatusRange> expectedStatus, Optional<String> bodyRegex, boolean tls) implements HealthCheck {
        private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
        private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
        private static final Pattern HOST = Pattern.compile("[\\x21-\\x7e]+");

        public Http {
            Validation.notNull(settings, "health check settings");
            Validation.check(method != null && TOKEN.matcher(method).matches(),
                    "http check method must be a token such as GET but was '%s'", method);
            Validation.check(path != null && PATH.matcher(path).matches(),
                    "http check path must start with '/' and hold no space or control character but was '%s'", path);
            Validation.notNull(host, "http check host");
            host.ifPresent(h -> Validation.check(HOST.matcher(h).matches(),
                    "http check host must hold no space or control character but was '%s'", h));
            Validation.check(expectedStatus != null && !expectedStatus.isEmpty(),
                    "http check expectedStatus must not be empty");
            expectedStatus = List.copyOf(expectedStatus);
            Validation.notNull(bodyRegex, "http check bodyRegex");
            bodyRegex.ifPresent(Http::compile);
        }

        private static void compile(String regex) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("http check bodyRegex is not a valid regular expression: '"
                        + regex + "' (" + e.getDescription() + ")", e);
            }
        }

        @Override
        public Http withSettings(CheckSettings settings) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls);
        }

        public Http withMethod(String method) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls);
        }

        public Http withHost(String host) {
            return new Http(settings, method, path, Optional.of(host), expectedStatus, bodyRegex, tls);
        }

        public Http withStatus(StatusRange... ranges) {
            return new Http(settings, method, path, host, List.of(ranges), bodyRegex, tls);
        }

        public Http withBodyRegex(String regex) {
            return new Http(settings, method, path, host, expectedStatus, Optional.of(regex), tls);
        }

        public Http withTls(boolean tls) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls);
        }
    }

    /** Up when every step of a TCP conversation succeeds in time. */
    record SendExpect(CheckSettings settings, List<Step> steps) implements HealthCheck {
        public SendExpect {
            Validation.notNull(settings, "health check settings");
            Validation.check(steps != null && !steps.isEmpty(), "send/expect check needs at least one step");
            steps = List.copyOf(new ArrayList<>(steps));
        }

        @Override
        public SendExpect withSettings(CheckSettings settings) {
            return new SendExpect(settings, steps);
        }

        /** One step of the conversation. */
        public sealed interface Step permits Send, Expect {}

        /** Sends these bytes (the text's ISO-8859-1 bytes, so "\r\n" is CR LF). */
        public record Send(String text) implements Step {
            public Send {
                Validation.check(text != null && !text.isEmpty(), "send step must not be empty");
                Validation.check(text.chars().allMatch(c -> c < 256),
                        "send step must hold ISO-8859-1 characters only but was '%s'", text);
            }
        }

        /** Reads until the regular expression is found in what was received since the last expect. */
        public record Expect(String regex) implements Step {
            public Expect {
                Validation.check(regex != null && !regex.isEmpty(), "expect step must not be empty");
                try {
                    Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("expect step is not a valid regular expression: '" + regex
                            + "' (" + e.getDescription() + ")", e);
                }
            }
        }
    }

    /**
     * Up when the command exits with status 0 within the timeout; a non-zero exit, a timeout, a command that
     * cannot be run and a hang are failures, each with its own reason.
     *
     * @param command an absolute path to an executable
     * @param args    its arguments, before the ones lb-health adds
     */
    record External(CheckSettings settings, String command, List<String> args) implements HealthCheck {
        public External {
            Validation.notNull(settings, "health check settings");
            Validation.check(command != null && command.startsWith("/") && command.indexOf('\0') < 0,
                    "external check command must be an absolute path but was '%s'", command);
            Validation.notNull(args, "external check args");
            args = List.copyOf(args);
        }

        @Override
        public External withSettings(CheckSettings settings) {
            return new External(settings, command, args);
        }
    }
}
