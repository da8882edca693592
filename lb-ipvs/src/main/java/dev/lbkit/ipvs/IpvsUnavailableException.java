package dev.lbkit.ipvs;

import dev.lbkit.netlink.NetlinkException;

/**
 * IPVS cannot be used at all: the kernel has no IPVS (no generic-netlink family {@code IPVS}, even after
 * {@code modprobe ip_vs}), or the process lacks CAP_NET_ADMIN. The message says which and what to do.
 */
public final class IpvsUnavailableException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    public IpvsUnavailableException(int errno, String message) {
        super(errno, null, message);
    }
}
