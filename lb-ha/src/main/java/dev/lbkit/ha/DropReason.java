package dev.lbkit.ha;

/** Why a received VRRP packet was dropped; each is counted (see {@link VrrpInstanceStatus#drops()}). */
public enum DropReason {
    /** Shorter than the 8-byte header, or its length does not match its address count. */
    LENGTH,
    /** IP TTL / hop limit not 255 (the packet crossed a router). */
    TTL,
    /** VRRP version not 3. */
    VERSION,
    /** Type not 1 (ADVERTISEMENT). */
    TYPE,
    /** No instance here has this VRID on this interface (a foreign router). */
    VRID,
    /** Checksum wrong (in the configured mode, or in both modes when either is accepted). */
    CHECKSUM,
    /** The address count differs from this instance's number of floating IPs. */
    ADDRESS_COUNT,
    /** The addresses differ from this instance's floating IPs and the sender is not the address owner. */
    ADDRESS_LIST,
    /** Max advert interval 0. */
    INTERVAL,
    /** From an address that is not a configured unicast peer. */
    SOURCE,
    /** The IP header is malformed or of the wrong family. */
    IP_HEADER
}
