package dev.lbkit.ha;

/**
 * How the VRRPv3 checksum of an IPv4 advert is computed. RFC 9568 (5.2.8) leaves the IPv4 pseudo-header out;
 * keepalived (2.x, by default) and RFC 5798 as many read it put it in. IPv6 always uses the pseudo-header.
 */
public enum ChecksumMode {
    /** With the IPv4 pseudo-header (source, destination, 0, 112, length): keepalived's default. */
    PSEUDO_HEADER,
    /** Over the VRRP message alone: RFC 9568, keepalived's {@code v3_checksum_as_v2}. */
    NO_PSEUDO_HEADER
}
