/**
 * The IPVS dataplane: drives the Linux kernel's IP Virtual Server over generic netlink for the
 * {@code DIRECT_ROUTING}, {@code NAT} and {@code TUNNEL} forwarding methods. Not yet implemented; this module is
 * reserved so that the build layout is final.
 */
package dev.lbkit.ipvs;
