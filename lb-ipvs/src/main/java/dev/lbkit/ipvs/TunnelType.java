package dev.lbkit.ipvs;

/** How IPVS encapsulates packets for {@code TUNNEL} destinations (IP_VS_CONN_F_TUNNEL_TYPE_*). */
public enum TunnelType {
    /** IP-in-IP: the real server needs an {@code ipip} (tunl0) device holding the VIP. */
    IPIP(IpvsAttributes.TUNNEL_TYPE_IPIP),
    /** Generic UDP Encapsulation: needs a tunnel port; the real server runs a {@code fou}/GUE receiver. */
    GUE(IpvsAttributes.TUNNEL_TYPE_GUE),
    /** GRE: the real server needs a {@code gre} device. Linux 5.3 and later. */
    GRE(IpvsAttributes.TUNNEL_TYPE_GRE);

    private final int kernelValue;

    TunnelType(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** The kernel's number for it. */
    public int kernelValue() {
        return kernelValue;
    }

    /** The type with this kernel number. */
    public static TunnelType ofKernelValue(int value) {
        for (TunnelType t : values()) {
            if (t.kernelValue == value) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown IPVS tunnel type " + value);
    }
}
