package dev.lbkit.ipvs;

import java.nio.file.Path;

/**
 * The IPVS sysctls ({@code net.ipv4.vs.*}, per network namespace) that decide what happens to live connections
 * when a real server is drained (weight 0) or removed. Read and set them with {@link Ipvs#sysctl} and
 * {@link Ipvs#setSysctl}; each takes 0 (off, the kernel's default) or 1 (on).
 */
public enum IpvsSysctl {
    /**
     * {@code expire_nodest_conn}: 1 expires a connection as soon as a packet arrives for it after its real
     * server was removed (the client gets a reset and reconnects to another server); 0 (default) keeps
     * forwarding such connections to the removed server until they time out.
     */
    EXPIRE_NODEST_CONN("expire_nodest_conn"),
    /**
     * {@code expire_quiescent_template}: 1 expires a persistence template when its real server has weight 0, so
     * that persisted clients are scheduled anew (a drain also moves sticky clients); 0 (default) keeps sending
     * persisted clients to the quiesced server until the template times out.
     */
    EXPIRE_QUIESCENT_TEMPLATE("expire_quiescent_template"),
    /**
     * {@code conntrack}: 1 keeps netfilter connection tracking entries for IPVS connections (needed by firewall
     * or SNAT rules on the director that match IPVS traffic); 0 (default) skips them.
     */
    CONNTRACK("conntrack");

    private final String fileName;

    IpvsSysctl(String fileName) {
        this.fileName = fileName;
    }

    /** The name under {@code /proc/sys/net/ipv4/vs/}, e.g. {@code expire_nodest_conn}. */
    public String fileName() {
        return fileName;
    }

    /** The key as {@code sysctl} writes it, e.g. {@code net.ipv4.vs.expire_nodest_conn}. */
    public String key() {
        return "net.ipv4.vs." + fileName;
    }

    Path path(Path procSysVs) {
        return procSysVs.resolve(fileName);
    }
}
