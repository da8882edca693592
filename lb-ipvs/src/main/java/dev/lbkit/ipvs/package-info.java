/**
 * The IPVS dataplane: drives the Linux kernel's IP Virtual Server over generic netlink (through
 * {@code dev.lbkit.netlink}) for the {@code DIRECT_ROUTING}, {@code NAT} and {@code TUNNEL} forwarding methods.
 *
 * <p>{@link dev.lbkit.ipvs.IpvsDataplane} is the {@link dev.lbkit.api.Dataplane}; {@link dev.lbkit.ipvs.Ipvs}
 * is the lower-level client with {@code ipvsadm}'s operations on {@link dev.lbkit.ipvs.IpvsService} and
 * {@link dev.lbkit.ipvs.IpvsDestination} values; {@link dev.lbkit.ipvs.IpvsOptions} carries the per-virtual-server
 * settings only IPVS has. Message layouts follow {@code include/uapi/linux/ip_vs.h} and {@code ip_vs_ctl.c}.
 */
package dev.lbkit.ipvs;
