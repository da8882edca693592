package dev.lbkit.api;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Locale;
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
        permits HealthCheck.None, HealthCheck.Connect, HealthCheck.Http, HealthCheck.SendExpect, HealthCheck.External,
        HealthCheck.Ping, HealthCheck.Dns, HealthCheck.Agent {

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

    /** An HTTPS check of {@code GET path}: as {@link #http} over TLS, certificate not verified by default. */
    static Http https(String path) {
        return http(path).withTls(true);
    }

    /** An ICMP echo ("ping") check. */
    static Ping ping() {
        return new Ping(CheckSettings.defaults());
    }

    /**
     * A DNS check: a UDP query for {@code name} of this type, up when the answer is NOERROR with at least one
     * record of the type (see {@link Dns#withExpectedAnswer}). Port 53 unless {@link CheckSettings#port()} says
     * otherwise.
     */
    static Dns dns(String name, Dns.Type type) {
        return new Dns(CheckSettings.defaults(), name, type, Optional.empty());
    }

    /**
     * An agent check (HAProxy's {@code agent-check}): connect to the agent on the real server (at
     * {@link CheckSettings#port()}) and read one line such as {@code up}, {@code down}, {@code drain},
     * {@code maint} or {@code 75%}.
     */
    static Agent agent() {
        return new Agent(CheckSettings.defaults(), Optional.empty());
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

    /** A response header that must be present with a value matching a regular expression (found, not whole). */
    record HeaderMatch(String name, String valueRegex) {
        private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

        public HeaderMatch {
            Validation.check(name != null && TOKEN.matcher(name).matches(),
                    "http check header name must be a token such as Content-Type but was '%s'", name);
            Validation.check(valueRegex != null, "http check header '%s' valueRegex must not be null", name);
            regex(valueRegex, "http check header '" + name + "' valueRegex");
        }

        @Override
        public String toString() {
            return name + " ~ " + valueRegex;
        }
    }

    /**
     * Up when an HTTP(S) request answers with an expected status (and, when given, a header and a body matching
     * their regular expressions).
     *
     * @param method         an RFC 9110 method token, e.g. {@code GET} or {@code HEAD}
     * @param path           the request target, starting with '/'
     * @param host           the Host header; empty for the checked address
     * @param expectedStatus the status codes counted as up; not empty
     * @param bodyRegex      a Java regular expression that must be found in the body (first 64 KiB)
     * @param tls            HTTPS instead of HTTP
     * @param header         a response header that must match; empty for none
     * @param sni            the TLS server name sent; empty for the Host header's name when it is not an IP
     *                       literal, else none
     * @param verifyTls      whether the certificate must chain to the JDK's trusted roots and name the server
     *                       (SNI, else Host); off by default: a check proves liveness, not identity
     */
    record Http(CheckSettings settings, String method, String path, Optional<String> host,
            List<StatusRange> expectedStatus, Optional<String> bodyRegex, boolean tls, Optional<HeaderMatch> header,
            Optional<String> sni, boolean verifyTls) implements HealthCheck {
        private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
        private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
        private static final Pattern HOST = Pattern.compile("[\\x21-\\x7e]+");
        private static final Pattern SNI = Pattern.compile(
                "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

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
            bodyRegex.ifPresent(r -> regex(r, "http check bodyRegex"));
            Validation.notNull(header, "http check header");
            Validation.notNull(sni, "http check sni");
            sni.ifPresent(n -> Validation.check(SNI.matcher(n).matches() && !n.chars().allMatch(
                    c -> c == '.' || (c >= '0' && c <= '9')),
                    "http check sni must be a DNS host name (not an IP address) but was '%s'", n));
            Validation.check(tls || sni.isEmpty(), "http check sni '%s' needs tls", sni.orElse(""));
            Validation.check(tls || !verifyTls, "http check verifyTls needs tls");
        }

        /** The check before header, SNI and verification existed: none, none, off. */
        public Http(CheckSettings settings, String method, String path, Optional<String> host,
                List<StatusRange> expectedStatus, Optional<String> bodyRegex, boolean tls) {
            this(settings, method, path, host, expectedStatus, bodyRegex, tls, Optional.empty(), Optional.empty(),
                    false);
        }

        @Override
        public Http withSettings(CheckSettings settings) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls, header, sni, verifyTls);
        }

        public Http withMethod(String method) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls, header, sni, verifyTls);
        }

        public Http withHost(String host) {
            return new Http(settings, method, path, Optional.of(host), expectedStatus, bodyRegex, tls, header, sni,
                    verifyTls);
        }

        public Http withStatus(StatusRange... ranges) {
            return new Http(settings, method, path, host, List.of(ranges), bodyRegex, tls, header, sni, verifyTls);
        }

        public Http withBodyRegex(String regex) {
            return new Http(settings, method, path, host, expectedStatus, Optional.of(regex), tls, header, sni,
                    verifyTls);
        }

        /** HTTPS when true; turning TLS off also turns off SNI and verification. */
        public Http withTls(boolean tls) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls, header,
                    tls ? sni : Optional.empty(), tls && verifyTls);
        }

        /** Requires a response header {@code name} whose value contains a match of {@code valueRegex}. */
        public Http withHeader(String name, String valueRegex) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls,
                    Optional.of(new HeaderMatch(name, valueRegex)), sni, verifyTls);
        }

        /** Sends this TLS server name (needs {@link #withTls tls}). */
        public Http withSni(String serverName) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls, header,
                    Optional.of(Validation.notNull(serverName, "http check sni")), verifyTls);
        }

        /** Verifies the server's certificate (needs {@link #withTls tls}). */
        public Http withVerifyTls(boolean verify) {
            return new Http(settings, method, path, host, expectedStatus, bodyRegex, tls, header, sni, verify);
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
     * <p>With {@code weightFromExit} (keepalived's {@code misc_dynamic}), the exit status also sets the weight:
     * 0 is up at the requested weight, 1 is down, 2..255 are up with {@code status - 2} percent of the requested
     * weight (so 2 drains, 102 is the requested weight, 152 one and a half times it). Unlike keepalived, whose
     * value is an absolute weight, it is a percentage, as an agent check's is.
     *
     * @param command        an absolute path to an executable
     * @param args           its arguments, before the ones lb-health adds
     * @param weightFromExit whether exit statuses 2..255 mean up with a weight (default false: any non-zero
     *                       status is down)
     */
    record External(CheckSettings settings, String command, List<String> args, boolean weightFromExit)
            implements HealthCheck {
        public External {
            Validation.notNull(settings, "health check settings");
            Validation.check(command != null && command.startsWith("/") && command.indexOf('\0') < 0,
                    "external check command must be an absolute path but was '%s'", command);
            Validation.notNull(args, "external check args");
            args = List.copyOf(args);
        }

        /** A check whose non-zero exit statuses all mean down. */
        public External(CheckSettings settings, String command, List<String> args) {
            this(settings, command, args, false);
        }

        @Override
        public External withSettings(CheckSettings settings) {
            return new External(settings, command, args, weightFromExit);
        }

        /** A copy that reads a weight from exit statuses 2..255 (or not). */
        public External withWeightFromExit(boolean weightFromExit) {
            return new External(settings, command, args, weightFromExit);
        }
    }

    /** Up when an ICMP echo request is answered in time. No port. */
    record Ping(CheckSettings settings) implements HealthCheck {
        public Ping {
            Validation.notNull(settings, "health check settings");
        }

        @Override
        public Ping withSettings(CheckSettings settings) {
            return new Ping(settings);
        }
    }

    /**
     * Up when a UDP DNS query is answered with NOERROR, the query's ID and question, and at least one record of
     * the queried type (when {@code expectedAnswer} is given: one whose data equals it).
     *
     * @param name           the name queried, e.g. {@code www.example.com} (a trailing dot is allowed)
     * @param type           the record type queried
     * @param expectedAnswer for A and AAAA an IP literal of the type's family; for CNAME, NS and PTR a name
     *                       (compared ignoring case and a trailing dot); for TXT the text; empty for any
     */
    record Dns(CheckSettings settings, String name, Type type, Optional<String> expectedAnswer)
            implements HealthCheck {
        private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

        /** The record types a DNS check can query, with their RFC 1035 / 3596 codes. */
        public enum Type {
            A(1), NS(2), CNAME(5), SOA(6), PTR(12), MX(15), TXT(16), AAAA(28), SRV(33);

            private final int code;

            Type(int code) {
                this.code = code;
            }

            /** The type's code on the wire. */
            public int code() {
                return code;
            }
        }

        public Dns {
            Validation.notNull(settings, "health check settings");
            Validation.check(name != null && validName(name),
                    "dns check name must be a domain name of labels of 1..63 letters, digits, '-' or '_', at most "
                            + "253 characters, but was '%s'", name);
            Validation.notNull(type, "dns check type");
            Validation.notNull(expectedAnswer, "dns check expectedAnswer");
            if (expectedAnswer.isPresent()) {
                String e = expectedAnswer.get();
                switch (type) {
                    case A:
                    case AAAA: {
                        InetAddress a;
                        try {
                            a = Addresses.parseLiteral(e);
                        } catch (IllegalArgumentException ex) {
                            throw new IllegalArgumentException("dns check expectedAnswer for type " + type
                                    + " must be an IP address but was '" + e + "'", ex);
                        }
                        Validation.check(type == Type.A ? a instanceof Inet4Address : a instanceof Inet6Address,
                                "dns check expectedAnswer for type %s must be an %s address but was '%s'", type,
                                type == Type.A ? "IPv4" : "IPv6", e);
                        break;
                    }
                    case CNAME:
                    case NS:
                    case PTR:
                        Validation.check(validName(e),
                                "dns check expectedAnswer for type %s must be a domain name but was '%s'", type, e);
                        break;
                    case TXT:
                        Validation.check(!e.isEmpty() && e.length() <= 255 && e.chars().allMatch(c -> c < 256),
                                "dns check expectedAnswer for type TXT must be 1..255 ISO-8859-1 characters but "
                                        + "was '%s'", e);
                        break;
                    default:
                        throw new IllegalArgumentException("dns check expectedAnswer is not supported for type "
                                + type + " (only A, AAAA, CNAME, NS, PTR and TXT) but was '" + e + "'");
                }
            }
        }

        static boolean validName(String name) {
            String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            if (n.isEmpty() || n.length() > 253) {
                return false;
            }
            for (String label : n.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Dns withSettings(CheckSettings settings) {
            return new Dns(settings, name, type, expectedAnswer);
        }

        /** Up only when an answer record's data equals {@code answer} (see the record's description). */
        public Dns withExpectedAnswer(String answer) {
            return new Dns(settings, name, type, Optional.of(Validation.notNull(answer, "dns check expectedAnswer")));
        }

        /** The name in lower case without a trailing dot, as answers are compared. */
        public static String canonicalName(String name) {
            String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            return n.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An agent check with HAProxy {@code agent-check} semantics: lb-health connects to the agent (at
     * {@link CheckSettings#port()}, which should be set: the real server's service port rarely runs an agent),
     * sends {@code send} when given, and reads one line of words separated by spaces, tabs or commas:
     * {@code up}/{@code ready} (up), {@code down}/{@code fail}/{@code stopped} (down), {@code drain} and
     * {@code maint} (out of rotation), {@code N%} (a weight, 0..100 % of the configured one); text after
     * {@code #} is a description. See lb-health for how each word reaches the load balancer.
     *
     * @param send text sent after connecting (ISO-8859-1, e.g. {@code "ping\n"}); empty to send nothing
     */
    record Agent(CheckSettings settings, Optional<String> send) implements HealthCheck {
        public Agent {
            Validation.notNull(settings, "health check settings");
            Validation.notNull(send, "agent check send");
            send.ifPresent(t -> Validation.check(!t.isEmpty() && t.chars().allMatch(c -> c < 256),
                    "agent check send must be 1 or more ISO-8859-1 characters but was '%s'", t));
        }

        @Override
        public Agent withSettings(CheckSettings settings) {
            return new Agent(settings, send);
        }

        /** Sends this text to the agent after connecting. */
        public Agent withSend(String text) {
            return new Agent(settings, Optional.of(Validation.notNull(text, "agent check send")));
        }
    }

    private static void regex(String regex, String what) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid regular expression: '" + regex + "' ("
                    + e.getDescription() + ")", e);
        }
    }
}
