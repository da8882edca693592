package dev.lbkit.api;

/**
 * How packets reach a real server. The first three are the Linux kernel's IPVS; the last two are lbkit's own
 * full proxies.
 */
public enum ForwardingMethod {
    /** IPVS direct routing: the destination MAC is rewritten; one arm; no port translation. */
    DIRECT_ROUTING(true, false, false),
    /** IPVS NAT: the destination address and port are rewritten; the real servers' gateway is the director. */
    NAT(true, true, false),
    /** IPVS tunnelling: packets are encapsulated (IP-in-IP, GUE or GRE); no port translation. */
    TUNNEL(true, false, true),
    /** Layer 4 full proxy (source NAT): TCP connections are terminated and re-opened to the real server. */
    PROXY(false, true, true),
    /** Layer 7 full proxy: HTTP/1.1 requests are parsed and routed; enables cookie persistence. */
    HTTP(false, true, true);

    private final boolean kernel;
    private final boolean translatesPort;
    private final boolean mixesFamilies;

    ForwardingMethod(boolean kernel, boolean translatesPort, boolean mixesFamilies) {
        this.kernel = kernel;
        this.translatesPort = translatesPort;
        this.mixesFamilies = mixesFamilies;
    }

    /** True for the kernel (IPVS) methods: direct routing, NAT and tunnel. */
    public boolean isKernel() {
        return kernel;
    }

    /** True when a real server may listen on a port other than the VIP's. */
    public boolean translatesPort() {
        return translatesPort;
    }

    /** True when an IPv4 VIP may forward to an IPv6 real server and the other way round. */
    public boolean mixesFamilies() {
        return mixesFamilies;
    }

    /** True for the methods that terminate connections in userspace (PROXY, HTTP). */
    public boolean isProxy() {
        return !kernel;
    }
}
