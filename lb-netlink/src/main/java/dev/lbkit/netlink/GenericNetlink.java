package dev.lbkit.netlink;

import java.util.List;

/**
 * Generic netlink: resolving a family's id by name through the controller (CTRL_CMD_GETFAMILY), and the
 * messages for it. Message building is separate from sending so it can be tested on exact bytes.
 */
public final class GenericNetlink {
    private GenericNetlink() {}

    /**
     * A resolved generic-netlink family.
     *
     * @param name    the family name, e.g. {@code IPVS}
     * @param id      the netlink message type to use for it
     * @param version the family's version
     * @param maxAttr the highest top-level attribute the kernel knows
     */
    public record Family(String name, int id, int version, int maxAttr) {}

    /** The CTRL_CMD_GETFAMILY request for {@code name} (sequence 0, stamped when sent). */
    public static MessageWriter getFamilyRequest(MessageWriter w, String name) {
        if (name.isEmpty() || name.length() >= Netlink.GENL_NAMSIZ) {
            throw new IllegalArgumentException("family name must be 1.." + (Netlink.GENL_NAMSIZ - 1)
                    + " characters but was '" + name + "'");
        }
        return w.begin(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .genlHeader(Netlink.CTRL_CMD_GETFAMILY, 1)
                .putString(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                .end();
    }

    /** Parses the controller's answer. */
    public static Family parseFamily(Message reply) {
        Attributes a = reply.genlAttributes();
        return new Family(a.require(Netlink.CTRL_ATTR_FAMILY_NAME, "CTRL_CMD_GETFAMILY reply").string(),
                a.require(Netlink.CTRL_ATTR_FAMILY_ID, "CTRL_CMD_GETFAMILY reply").u16(),
                a.has(Netlink.CTRL_ATTR_VERSION) ? a.get(Netlink.CTRL_ATTR_VERSION).u32() : 0,
                a.has(Netlink.CTRL_ATTR_MAXATTR) ? a.get(Netlink.CTRL_ATTR_MAXATTR).u32() : 0);
    }

    /**
     * Resolves a family on a {@link Netlink#NETLINK_GENERIC} socket.
     *
     * @throws NetlinkException with ENOENT when the kernel has no such family (e.g. its module is not loaded)
     */
    public static Family resolve(NetlinkSocket socket, String name) {
        List<Message> replies = socket.request(getFamilyRequest(new MessageWriter(64), name).buffer(),
                "generic netlink family '" + name + "'");
        if (replies.isEmpty()) {
            throw new NetlinkException(0, null, "generic netlink family '" + name + "': no answer");
        }
        return parseFamily(replies.get(0));
    }
}
