/**
 * The HA pair: {@link dev.lbkit.ha.VrrpRouter} runs VRRPv3 (RFC 9568) instances
 * ({@link dev.lbkit.ha.VrrpInstanceConfig}) that move floating IPs between two nodes, adding and removing them
 * through rtnetlink and announcing them with gratuitous ARP; it pairs with another lbkit node or with keepalived.
 * Transitions reach other modules through {@link dev.lbkit.api.HaStateListener}. See {@code docs/ha.md}.
 *
 * <p>Linux only; needs CAP_NET_ADMIN and CAP_NET_RAW.
 */
package dev.lbkit.ha;
