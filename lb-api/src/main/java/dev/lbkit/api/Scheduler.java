package dev.lbkit.api;

import java.util.Locale;

/**
 * Which real server gets a new connection. The names and semantics are those of the Linux kernel's IPVS
 * schedulers; {@link dev.lbkit.api.scheduling.Picker} implements every one of them in userspace.
 */
public enum Scheduler {
    /** Round robin: each available server in turn, ignoring weights (other than weight 0). */
    RR,
    /**
     * Weighted round robin: exact weight shares over every cycle of sum(weights) picks. The userspace picker
     * is smooth (as nginx: picks of one server spread out); the kernel's {@code ip_vs_wrr} gives the same
     * shares in a different, less interleaved order.
     */
    WRR,
    /** Least connections: fewest active connections (IPVS counts inactive ones at 1/256). */
    LC,
    /** Weighted least connections: fewest connections per unit of weight. The IPVS default. */
    WLC,
    /** Shortest expected delay: fewest (active + 1) per unit of weight. */
    SED,
    /** Never queue: an idle server if there is one, else as {@link #SED}. */
    NQ,
    /** Source hashing: a client address always maps to the same server while the set is unchanged. */
    SH,
    /** Destination hashing: keyed by the destination address (cache clusters behind a firewall mark). */
    DH,
    /** Maglev hashing: consistent hashing with minimal disruption when a server leaves. */
    MH,
    /** Locality-based least connections: a destination sticks to one server until it is overloaded. */
    LBLC,
    /** Locality-based least connections with replication: a destination maps to a set of servers. */
    LBLCR,
    /** Weighted failover: the available server with the highest weight. */
    FO,
    /**
     * Weighted overflow: the highest-weight server until its active connections exceed its weight (the
     * kernel's {@code activeconns > weight} test, so a server takes weight + 1), then the next.
     */
    OVF;

    /** The kernel's name for it, as {@code ipvsadm -s} takes it ({@code wlc}, {@code mh}, ...). */
    public String ipvsName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * True when the scheduler keys on the destination address. A proxy listener accepts connections for one
     * VIP only, so these schedulers would send everything to one server there; they serve IPVS firewall-mark
     * and transparent-cache set-ups.
     */
    public boolean keysOnDestination() {
        return this == DH || this == LBLC || this == LBLCR;
    }

    /**
     * Parses a scheduler name as {@code ipvsadm} writes it ({@code wlc}) or as this enum does ({@code WLC}).
     *
     * @throws IllegalArgumentException naming the value when it is not a known scheduler
     */
    public static Scheduler parse(String name) {
        for (Scheduler s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scheduler must be one of rr, wrr, lc, wlc, sed, nq, sh, dh, mh, lblc, "
                + "lblcr, fo, ovf but was '" + name + "'");
    }
}
