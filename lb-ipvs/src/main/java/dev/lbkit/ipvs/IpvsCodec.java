package dev.lbkit.ipvs;

import static dev.lbkit.ipvs.IpvsAttributes.*;

import dev.lbkit.api.IpFamily;
import dev.lbkit.api.Protocol;
import dev.lbkit.netlink.Attribute;
import dev.lbkit.netlink.Attributes;
import dev.lbkit.netlink.Message;
import dev.lbkit.netlink.MessageWriter;
import dev.lbkit.netlink.Netlink;
import dev.lbkit.netlink.NetlinkException;
import java.net.InetAddress;

/**
 * Builds and parses IPVS generic-netlink messages: pure functions on a {@link MessageWriter} and
 * {@link Message}, no socket. The traps of the kernel's {@code ip_vs_ctl.c} are handled here:
 * <ul>
 *   <li>ports are big-endian ({@code nla_get_be16}); so is an IPv4 netmask, while an IPv6 "netmask" is a
 *       prefix length 1..128 in host order;</li>
 *   <li>flags travel as {flags, mask}: the kernel changes only the bits in the mask, so the mask is the set of
 *       flags lbkit manages ({@link IpvsAttributes#SVC_F_OWNED});</li>
 *   <li>a new or changed service needs its full attribute set (scheduler, flags, timeout, netmask), and so does a
 *       new or changed destination (forwarding method, weight, both thresholds), else EINVAL;</li>
 *   <li>addresses are read back as 16-byte unions whatever the family.</li>
 * </ul>
 */
final class IpvsCodec {
    private static final int REQUEST = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private IpvsCodec() {}

    static MessageWriter newService(MessageWriter w, int familyId, IpvsService s) {
        return service(w, familyId, CMD_NEW_SERVICE, s);
    }

    static MessageWriter setService(MessageWriter w, int familyId, IpvsService s) {
        return service(w, familyId, CMD_SET_SERVICE, s);
    }

    static MessageWriter delService(MessageWriter w, int familyId, IpvsServiceKey key) {
        w.begin(familyId, REQUEST).genlHeader(CMD_DEL_SERVICE, GENL_VERSION);
        serviceKey(w, key);
        return w.end();
    }

    private static MessageWriter service(MessageWriter w, int familyId, int cmd, IpvsService s) {
        w.begin(familyId, REQUEST).genlHeader(cmd, GENL_VERSION);
        int nest = w.beginNested(CMD_ATTR_SERVICE);
        serviceKeyAttributes(w, s.key());
        w.putString(SVC_ATTR_SCHED_NAME, s.scheduler());
        w.putU32Pair(SVC_ATTR_FLAGS, s.flags() & SVC_F_OWNED, SVC_F_OWNED);
        w.putU32(SVC_ATTR_TIMEOUT, s.timeoutSeconds());
        if (s.key().family() == IpFamily.IPV6) {
            w.putU32(SVC_ATTR_NETMASK, s.netmask()); // a prefix length, host order
        } else {
            w.putBe32(SVC_ATTR_NETMASK, s.netmask());
        }
        if (s.persistenceEngine() != null) {
            w.putString(SVC_ATTR_PE_NAME, s.persistenceEngine());
        }
        w.endNested(nest);
        return w.end();
    }

    private static void serviceKey(MessageWriter w, IpvsServiceKey key) {
        int nest = w.beginNested(CMD_ATTR_SERVICE);
        serviceKeyAttributes(w, key);
        w.endNested(nest);
    }

    private static void serviceKeyAttributes(MessageWriter w, IpvsServiceKey key) {
        w.putU16(SVC_ATTR_AF, af(key.family()));
        if (key.isFirewallMark()) {
            w.putU32(SVC_ATTR_FWMARK, key.firewallMark());
        } else {
            w.putU16(SVC_ATTR_PROTOCOL, protocolNumber(key.protocol()));
            w.putAddress(SVC_ATTR_ADDR, key.address());
            w.putBe16(SVC_ATTR_PORT, key.port());
        }
    }

    static MessageWriter newDestination(MessageWriter w, int familyId, IpvsServiceKey svc, IpvsDestination d) {
        return destination(w, familyId, CMD_NEW_DEST, svc, d);
    }

    static MessageWriter setDestination(MessageWriter w, int familyId, IpvsServiceKey svc, IpvsDestination d) {
        return destination(w, familyId, CMD_SET_DEST, svc, d);
    }

    private static MessageWriter destination(MessageWriter w, int familyId, int cmd, IpvsServiceKey svc,
            IpvsDestination d) {
        if (d.lowerThreshold() > d.upperThreshold()) {
            // the kernel answers ERANGE, naming nothing
            throw new IllegalArgumentException("lower threshold " + d.lowerThreshold()
                    + " must not exceed upper threshold " + d.upperThreshold());
        }
        w.begin(familyId, REQUEST).genlHeader(cmd, GENL_VERSION);
        serviceKey(w, svc);
        int nest = w.beginNested(CMD_ATTR_DEST);
        w.putAddress(DEST_ATTR_ADDR, d.address());
        w.putBe16(DEST_ATTR_PORT, d.port());
        w.putU32(DEST_ATTR_FWD_METHOD, d.forwarding() & CONN_F_FWD_MASK);
        w.putU32(DEST_ATTR_WEIGHT, d.weight());
        w.putU32(DEST_ATTR_U_THRESH, d.upperThreshold());
        w.putU32(DEST_ATTR_L_THRESH, d.lowerThreshold());
        w.putU16(DEST_ATTR_ADDR_FAMILY, af(IpFamily.of(d.address())));
        if ((d.forwarding() & CONN_F_FWD_MASK) == CONN_F_TUNNEL) {
            w.putU8(DEST_ATTR_TUN_TYPE, d.tunnelType().kernelValue());
            w.putBe16(DEST_ATTR_TUN_PORT, d.tunnelPort());
            w.putU16(DEST_ATTR_TUN_FLAGS, d.tunnelFlags());
        }
        w.endNested(nest);
        return w.end();
    }

    static MessageWriter delDestination(MessageWriter w, int familyId, IpvsServiceKey svc, IpvsDestination.Key d) {
        w.begin(familyId, REQUEST).genlHeader(CMD_DEL_DEST, GENL_VERSION);
        serviceKey(w, svc);
        int nest = w.beginNested(CMD_ATTR_DEST);
        w.putAddress(DEST_ATTR_ADDR, d.address());
        w.putBe16(DEST_ATTR_PORT, d.port());
        w.putU16(DEST_ATTR_ADDR_FAMILY, af(IpFamily.of(d.address())));
        w.endNested(nest);
        return w.end();
    }

    /** The dump of every service (sent with NLM_F_DUMP). */
    static MessageWriter getServices(MessageWriter w, int familyId) {
        return w.begin(familyId, Netlink.NLM_F_REQUEST).genlHeader(CMD_GET_SERVICE, GENL_VERSION).end();
    }

    /** One service by its key (not a dump: the kernel answers the service or ESRCH). */
    static MessageWriter getService(MessageWriter w, int familyId, IpvsServiceKey key) {
        w.begin(familyId, REQUEST).genlHeader(CMD_GET_SERVICE, GENL_VERSION);
        serviceKey(w, key);
        return w.end();
    }

    /** The dump of one service's destinations. */
    static MessageWriter getDestinations(MessageWriter w, int familyId, IpvsServiceKey svc) {
        w.begin(familyId, Netlink.NLM_F_REQUEST).genlHeader(CMD_GET_DEST, GENL_VERSION);
        serviceKey(w, svc);
        return w.end();
    }

    static MessageWriter getConfig(MessageWriter w, int familyId) {
        return w.begin(familyId, REQUEST).genlHeader(CMD_GET_CONFIG, GENL_VERSION).end();
    }

    static MessageWriter setConfig(MessageWriter w, int familyId, IpvsTimeouts t) {
        return w.begin(familyId, REQUEST).genlHeader(CMD_SET_CONFIG, GENL_VERSION)
                .putU32(CMD_ATTR_TIMEOUT_TCP, t.tcp())
                .putU32(CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFin())
                .putU32(CMD_ATTR_TIMEOUT_UDP, t.udp())
                .end();
    }

    static MessageWriter getInfo(MessageWriter w, int familyId) {
        return w.begin(familyId, REQUEST).genlHeader(CMD_GET_INFO, GENL_VERSION).end();
    }

    /** Zeroes the counters of one service, or of everything when {@code svc} is null. */
    static MessageWriter zero(MessageWriter w, int familyId, IpvsServiceKey svc) {
        w.begin(familyId, REQUEST).genlHeader(CMD_ZERO, GENL_VERSION);
        if (svc != null) {
            serviceKey(w, svc);
        }
        return w.end();
    }

    static MessageWriter flush(MessageWriter w, int familyId) {
        return w.begin(familyId, REQUEST).genlHeader(CMD_FLUSH, GENL_VERSION).end();
    }

    /** Starts a sync daemon; optional settings left at 0/null are not sent (the kernel picks its defaults). */
    static MessageWriter newDaemon(MessageWriter w, int familyId, IpvsSyncDaemon d) {
        w.begin(familyId, REQUEST).genlHeader(CMD_NEW_DAEMON, GENL_VERSION);
        int nest = w.beginNested(CMD_ATTR_DAEMON);
        w.putU32(DAEMON_ATTR_STATE, d.role().kernelValue);
        w.putString(DAEMON_ATTR_MCAST_IFN, d.interfaceName());
        w.putU32(DAEMON_ATTR_SYNC_ID, d.syncId());
        if (d.maxLength() != 0) {
            w.putU16(DAEMON_ATTR_SYNC_MAXLEN, d.maxLength());
        }
        if (d.multicastGroup() != null) {
            // in_addr / in6_addr: network order; the port below is host order (nla_get_u16)
            w.putAddress(d.ipv4Group() ? DAEMON_ATTR_MCAST_GROUP : DAEMON_ATTR_MCAST_GROUP6, d.multicastGroup());
        }
        if (d.multicastPort() != 0) {
            w.putU16(DAEMON_ATTR_MCAST_PORT, d.multicastPort());
        }
        if (d.multicastTtl() != 0) {
            w.putU8(DAEMON_ATTR_MCAST_TTL, d.multicastTtl());
        }
        w.endNested(nest);
        return w.end();
    }

    /** Stops the sync daemon of one role. */
    static MessageWriter delDaemon(MessageWriter w, int familyId, IpvsSyncDaemon.Role role) {
        w.begin(familyId, REQUEST).genlHeader(CMD_DEL_DAEMON, GENL_VERSION);
        int nest = w.beginNested(CMD_ATTR_DAEMON);
        w.putU32(DAEMON_ATTR_STATE, role.kernelValue);
        w.endNested(nest);
        return w.end();
    }

    /** The dump of the running sync daemons (0, 1 or 2 replies). */
    static MessageWriter getDaemons(MessageWriter w, int familyId) {
        return w.begin(familyId, Netlink.NLM_F_REQUEST).genlHeader(CMD_GET_DAEMON, GENL_VERSION).end();
    }

    static IpvsSyncDaemon parseDaemon(Message m) {
        Attributes d = m.genlAttributes().require(CMD_ATTR_DAEMON, "IPVS sync daemon").attributes();
        InetAddress group = null;
        if (d.has(DAEMON_ATTR_MCAST_GROUP)) {
            group = d.get(DAEMON_ATTR_MCAST_GROUP).address(4);
        } else if (d.has(DAEMON_ATTR_MCAST_GROUP6)) {
            group = d.get(DAEMON_ATTR_MCAST_GROUP6).address(16);
        }
        return new IpvsSyncDaemon(
                IpvsSyncDaemon.Role.ofKernelValue(d.require(DAEMON_ATTR_STATE, "IPVS sync daemon").u32()),
                d.require(DAEMON_ATTR_MCAST_IFN, "IPVS sync daemon").string(),
                d.require(DAEMON_ATTR_SYNC_ID, "IPVS sync daemon").u32(),
                d.has(DAEMON_ATTR_SYNC_MAXLEN) ? d.get(DAEMON_ATTR_SYNC_MAXLEN).u16() : 0, group,
                d.has(DAEMON_ATTR_MCAST_PORT) ? d.get(DAEMON_ATTR_MCAST_PORT).u16() : 0,
                d.has(DAEMON_ATTR_MCAST_TTL) ? d.get(DAEMON_ATTR_MCAST_TTL).u8() : 0);
    }

    static IpvsService parseService(Message m) {
        Attributes s = m.genlAttributes().require(CMD_ATTR_SERVICE, "IPVS service").attributes();
        IpFamily family = family(s.require(SVC_ATTR_AF, "IPVS service").u16());
        IpvsServiceKey key;
        if (s.has(SVC_ATTR_FWMARK) && s.get(SVC_ATTR_FWMARK).u32() != 0) {
            key = IpvsServiceKey.firewallMark(s.get(SVC_ATTR_FWMARK).u32(), family);
        } else {
            InetAddress a = s.require(SVC_ATTR_ADDR, "IPVS service").address(family == IpFamily.IPV4 ? 4 : 16);
            key = new IpvsServiceKey(family, protocol(s.require(SVC_ATTR_PROTOCOL, "IPVS service").u16()), a,
                    s.require(SVC_ATTR_PORT, "IPVS service").be16(), 0);
        }
        Attribute flags = s.require(SVC_ATTR_FLAGS, "IPVS service " + key);
        int netmask = family == IpFamily.IPV6 ? s.require(SVC_ATTR_NETMASK, "IPVS service " + key).u32()
                : s.require(SVC_ATTR_NETMASK, "IPVS service " + key).be32();
        return new IpvsService(key, s.require(SVC_ATTR_SCHED_NAME, "IPVS service " + key).string(), flags.u32(),
                s.require(SVC_ATTR_TIMEOUT, "IPVS service " + key).u32(), netmask,
                s.has(SVC_ATTR_PE_NAME) ? s.get(SVC_ATTR_PE_NAME).string() : null,
                stats(s.get(SVC_ATTR_STATS64), s.get(SVC_ATTR_STATS)));
    }

    static IpvsDestination parseDestination(Message m, IpFamily serviceFamily) {
        Attributes d = m.genlAttributes().require(CMD_ATTR_DEST, "IPVS destination").attributes();
        IpFamily family = d.has(DEST_ATTR_ADDR_FAMILY) ? family(d.get(DEST_ATTR_ADDR_FAMILY).u16()) : serviceFamily;
        InetAddress a = d.require(DEST_ATTR_ADDR, "IPVS destination").address(family == IpFamily.IPV4 ? 4 : 16);
        return new IpvsDestination(a, d.require(DEST_ATTR_PORT, "IPVS destination").be16(),
                d.require(DEST_ATTR_FWD_METHOD, "IPVS destination").u32() & CONN_F_FWD_MASK,
                d.require(DEST_ATTR_WEIGHT, "IPVS destination").u32(),
                d.require(DEST_ATTR_U_THRESH, "IPVS destination").u32(),
                d.require(DEST_ATTR_L_THRESH, "IPVS destination").u32(),
                d.has(DEST_ATTR_TUN_TYPE) ? TunnelType.ofKernelValue(d.get(DEST_ATTR_TUN_TYPE).u8()) : TunnelType.IPIP,
                d.has(DEST_ATTR_TUN_PORT) ? d.get(DEST_ATTR_TUN_PORT).be16() : 0,
                d.has(DEST_ATTR_TUN_FLAGS) ? d.get(DEST_ATTR_TUN_FLAGS).u16() : 0,
                unsigned(d.get(DEST_ATTR_ACTIVE_CONNS)), unsigned(d.get(DEST_ATTR_INACT_CONNS)),
                unsigned(d.get(DEST_ATTR_PERSIST_CONNS)), stats(d.get(DEST_ATTR_STATS64), d.get(DEST_ATTR_STATS)));
    }

    static IpvsTimeouts parseConfig(Message m) {
        Attributes a = m.genlAttributes();
        return new IpvsTimeouts(a.require(CMD_ATTR_TIMEOUT_TCP, "IPVS config").u32(),
                a.require(CMD_ATTR_TIMEOUT_TCP_FIN, "IPVS config").u32(),
                a.require(CMD_ATTR_TIMEOUT_UDP, "IPVS config").u32());
    }

    /** {version, connection table size}. */
    static int[] parseInfo(Message m) {
        Attributes a = m.genlAttributes();
        return new int[] {a.require(INFO_ATTR_VERSION, "IPVS info").u32(),
            a.require(INFO_ATTR_CONN_TAB_SIZE, "IPVS info").u32()};
    }

    /** Prefers the 64-bit counters (Linux 4.1+); the 32-bit ones otherwise. */
    private static IpvsStats stats(Attribute stats64, Attribute stats32) {
        if (stats64 != null) {
            Attributes s = stats64.attributes();
            return new IpvsStats(u64(s, STATS_ATTR_CONNS), u64(s, STATS_ATTR_INPKTS), u64(s, STATS_ATTR_OUTPKTS),
                    u64(s, STATS_ATTR_INBYTES), u64(s, STATS_ATTR_OUTBYTES), u64(s, STATS_ATTR_CPS),
                    u64(s, STATS_ATTR_INPPS), u64(s, STATS_ATTR_OUTPPS), u64(s, STATS_ATTR_INBPS),
                    u64(s, STATS_ATTR_OUTBPS));
        }
        if (stats32 != null) {
            Attributes s = stats32.attributes();
            return new IpvsStats(u32(s, STATS_ATTR_CONNS), u32(s, STATS_ATTR_INPKTS), u32(s, STATS_ATTR_OUTPKTS),
                    u64(s, STATS_ATTR_INBYTES), u64(s, STATS_ATTR_OUTBYTES), u32(s, STATS_ATTR_CPS),
                    u32(s, STATS_ATTR_INPPS), u32(s, STATS_ATTR_OUTPPS), u32(s, STATS_ATTR_INBPS),
                    u32(s, STATS_ATTR_OUTBPS));
        }
        return IpvsStats.ZERO;
    }

    private static long u64(Attributes s, int type) {
        Attribute a = s.get(type);
        return a == null ? 0 : a.u64();
    }

    private static long u32(Attributes s, int type) {
        return unsigned(s.get(type));
    }

    private static long unsigned(Attribute a) {
        return a == null ? 0 : Integer.toUnsignedLong(a.u32());
    }

    static int af(IpFamily f) {
        return f == IpFamily.IPV4 ? AF_INET : AF_INET6;
    }

    static IpFamily family(int af) {
        if (af == AF_INET) {
            return IpFamily.IPV4;
        }
        if (af == AF_INET6) {
            return IpFamily.IPV6;
        }
        throw new NetlinkException(0, null, "IPVS: unknown address family " + af);
    }

    static int protocolNumber(Protocol p) {
        switch (p) {
            case TCP:
                return IPPROTO_TCP;
            case UDP:
                return IPPROTO_UDP;
            default:
                return IPPROTO_SCTP;
        }
    }

    static Protocol protocol(int number) {
        switch (number) {
            case IPPROTO_TCP:
                return Protocol.TCP;
            case IPPROTO_UDP:
                return Protocol.UDP;
            case IPPROTO_SCTP:
                return Protocol.SCTP;
            default:
                throw new NetlinkException(0, null, "IPVS: unknown protocol " + number);
        }
    }
}
