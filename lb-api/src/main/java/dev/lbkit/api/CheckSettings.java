package dev.lbkit.api;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * What every health check shares: when it runs, how many results change the state, where it goes and what a
 * failure does. Immutable; start from {@link #defaults()} and change with the {@code with...} methods.
 *
 * <p>Defaults: interval 5 s (also while changing state and while down), timeout 3 s, rise 2, fall 3, starts
 * up, {@link FailureAction#QUIESCE}, the real server's own address and port, the source address the kernel
 * chooses.
 *
 * @param interval      time between checks while the state is stable and up
 * @param fastInterval  time between checks while the state is changing (HAProxy {@code fastinter})
 * @param downInterval  time between checks while down (HAProxy {@code downinter})
 * @param timeout       how long one check may take; at most the interval
 * @param rise          consecutive successes that bring a down server up, 1..1000
 * @param fall          consecutive failures that take an up server down, 1..1000
 * @param initiallyUp   whether a server counts as up before its first result
 * @param onFailure     quiesce (weight 0) or remove a failed server
 * @param port          the port checked, 1..65535, or 0 for the real server's port
 * @param address       the address checked instead of the real server's (e.g. the VIP, which a direct-routing
 *                      real server holds on its loopback); empty for the real server's address
 * @param sourceAddress the local address checks are sent from; empty to let the kernel choose
 */
public record CheckSettings(Duration interval, Duration fastInterval, Duration downInterval, Duration timeout,
        int rise, int fall, boolean initiallyUp, FailureAction onFailure, int port, Optional<InetAddress> address,
        Optional<InetAddress> sourceAddress) {

    private static final CheckSettings DEFAULTS = new CheckSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(3), 2, 3, true, FailureAction.QUIESCE, 0);

    public CheckSettings {
        Validation.positive(interval, "health check interval");
        Validation.positive(fastInterval, "health check fastInterval");
        Validation.positive(downInterval, "health check downInterval");
        Validation.positive(timeout, "health check timeout");
        Validation.check(timeout.compareTo(interval) <= 0,
                "health check timeout must not exceed the interval but was %s > %s", timeout, interval);
        Validation.range(rise, 1, 1000, "health check rise");
        Validation.range(fall, 1, 1000, "health check fall");
        Validation.notNull(onFailure, "health check onFailure");
        Validation.range(port, 0, 65535, "health check port");
        Validation.notNull(address, "health check address");
        Validation.notNull(sourceAddress, "health check sourceAddress");
        address.ifPresent(a -> unicast(a, "address"));
        sourceAddress.ifPresent(a -> unicast(a, "sourceAddress"));
        if (address.isPresent() && sourceAddress.isPresent()) {
            InetAddress a = address.get();
            InetAddress s = sourceAddress.get();
            Validation.check((a instanceof Inet4Address) == (s instanceof Inet4Address),
                    "health check sourceAddress %s and address %s must be of one family (IPv4 or IPv6)",
                    Addresses.format(s), Addresses.format(a));
        }
    }

    /** The settings before {@link #address} and {@link #sourceAddress} existed: both empty. */
    public CheckSettings(Duration interval, Duration fastInterval, Duration downInterval, Duration timeout,
            int rise, int fall, boolean initiallyUp, FailureAction onFailure, int port) {
        this(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure, port,
                Optional.empty(), Optional.empty());
    }

    private static void unicast(InetAddress a, String field) {
        Validation.check(!a.isAnyLocalAddress() && !a.isMulticastAddress(),
                "health check %s must be a unicast address but was %s", field, Addresses.format(a));
    }

    /** The defaults listed on this type. */
    public static CheckSettings defaults() {
        return DEFAULTS;
    }

    /** Sets the interval, and the fast and down intervals with it. */
    public CheckSettings withInterval(Duration interval) {
        Duration t = timeout.compareTo(interval) > 0 ? interval : timeout;
        return new CheckSettings(interval, interval, interval, t, rise, fall, initiallyUp, onFailure, port, address,
                sourceAddress);
    }

    public CheckSettings withFastInterval(Duration fastInterval) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withDownInterval(Duration downInterval) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withTimeout(Duration timeout) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withRiseFall(int rise, int fall) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withInitiallyUp(boolean initiallyUp) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withOnFailure(FailureAction onFailure) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    public CheckSettings withPort(int port) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, sourceAddress);
    }

    /** Checks this address instead of the real server's (e.g. the VIP on a direct-routing real server). */
    public CheckSettings withAddress(InetAddress address) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, Optional.of(Validation.notNull(address, "health check address")), sourceAddress);
    }

    /** As {@link #withAddress(InetAddress)}, from an IP literal such as {@code 10.0.0.1} or {@code 2001:db8::1}. */
    public CheckSettings withAddress(String ipLiteral) {
        return withAddress(literal(ipLiteral, "address"));
    }

    /** Sends checks from this local address. */
    public CheckSettings withSourceAddress(InetAddress sourceAddress) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port, address, Optional.of(Validation.notNull(sourceAddress, "health check sourceAddress")));
    }

    /** As {@link #withSourceAddress(InetAddress)}, from an IP literal. */
    public CheckSettings withSourceAddress(String ipLiteral) {
        return withSourceAddress(literal(ipLiteral, "sourceAddress"));
    }

    private static InetAddress literal(String text, String field) {
        try {
            return Addresses.parseLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("health check " + field + ": " + e.getMessage(), e);
        }
    }
}
