package dev.lbkit.api;

import java.util.Locale;

/** The transport protocol of a virtual server. */
public enum Protocol {
    TCP,
    UDP,
    SCTP;

    /** The lower-case name used in addresses such as {@code 10.0.0.1:80/tcp}. */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code tcp}, {@code udp} or {@code sctp} (any case).
     *
     * @throws IllegalArgumentException naming the value when it is none of these
     */
    public static Protocol parse(String name) {
        for (Protocol p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("protocol must be tcp, udp or sctp but was '" + name + "'");
    }
}
