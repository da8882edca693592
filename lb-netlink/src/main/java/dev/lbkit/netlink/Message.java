package dev.lbkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: struct nlmsghdr and a read-only view of its payload.
 *
 * @param type    nlmsg_type (a control type such as {@link Netlink#NLMSG_ERROR} or a family id)
 * @param flags   nlmsg_flags
 * @param seq     nlmsg_seq
 * @param pid     nlmsg_pid
 * @param payload the bytes after the header (position 0, host order, read-only)
 */
public record Message(int type, int flags, int seq, int pid, ByteBuffer payload) {

    public Message {
        payload = payload.slice().order(ByteOrder.nativeOrder()); // views default to big-endian: pin host order
    }

    /**
     * Splits a datagram into messages (NLMSG_OK / NLMSG_NEXT).
     *
     * @throws NetlinkException when a length field is impossible
     */
    public static List<Message> parseAll(ByteBuffer datagram) {
        ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
        List<Message> out = new ArrayList<>(4);
        int p = 0;
        int end = b.limit();
        while (end - p >= Netlink.NLMSG_HDRLEN) {
            int len = b.getInt(p);
            if (len < Netlink.NLMSG_HDRLEN || len > end - p) {
                throw new NetlinkException(0, null, "malformed netlink message at offset " + p + ": length " + len
                        + " with " + (end - p) + " bytes left");
            }
            ByteBuffer payload = b.duplicate().position(p + Netlink.NLMSG_HDRLEN).limit(p + len).slice()
                    .order(ByteOrder.nativeOrder()).asReadOnlyBuffer();
            out.add(new Message(b.getShort(p + 4) & 0xffff, b.getShort(p + 6) & 0xffff, b.getInt(p + 8),
                    b.getInt(p + 12), payload));
            p += Netlink.align(len);
        }
        return out;
    }

    /** The generic-netlink command (genlmsghdr.cmd). */
    public int genlCommand() {
        return payload.get(0) & 0xff;
    }

    /** The attributes after struct genlmsghdr. */
    public Attributes genlAttributes() {
        return Attributes.parse(payload.duplicate().position(Netlink.GENL_HDRLEN));
    }

    /** The attributes after a family-specific fixed header of {@code headerLength} bytes. */
    public Attributes attributes(int headerLength) {
        return Attributes.parse(payload.duplicate().position(Netlink.align(headerLength)));
    }

    public boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** For an NLMSG_ERROR: the positive errno, or 0 for an ACK. */
    public int errorCode() {
        return -payload.getInt(0);
    }

    /** For an NLMSG_DONE: the dump's status, 0 or a positive errno (the payload may be absent). */
    public int doneCode() {
        return payload.remaining() >= 4 ? -payload.getInt(0) : 0;
    }

    /** For an NLMSG_ERROR: the extended-ACK message (NLMSGERR_ATTR_MSG), or null. */
    public String extendedAckMessage() {
        if (!hasFlag(Netlink.NLM_F_ACK_TLVS) || payload.remaining() < 4 + Netlink.NLMSG_HDRLEN) {
            return null;
        }
        int offset = 4 + Netlink.NLMSG_HDRLEN;
        if (!hasFlag(Netlink.NLM_F_CAPPED)) {
            int originalLength = payload.getInt(4);
            offset = 4 + Netlink.align(originalLength);
        }
        if (offset > payload.limit()) {
            return null;
        }
        Attribute msg = Attributes.parse(payload.duplicate().position(offset)).get(Netlink.NLMSGERR_ATTR_MSG);
        return msg == null ? null : msg.string();
    }
}
