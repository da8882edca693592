package dev.lbkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A parsed attribute stream (a message body or a nested attribute), in the order received. Lookup by type
 * returns the last occurrence, as the kernel's nla_parse does. Immutable.
 */
public final class Attributes implements Iterable<Attribute> {
    private static final Attributes EMPTY = new Attributes(List.of());
    private final List<Attribute> list;
    private final Attribute[] byType;

    private Attributes(List<Attribute> list) {
        this.list = Collections.unmodifiableList(list);
        int max = 0;
        for (Attribute a : list) {
            max = Math.max(max, a.type());
        }
        this.byType = new Attribute[list.isEmpty() ? 0 : max + 1];
        for (Attribute a : list) {
            byType[a.type()] = a;
        }
    }

    /** No attributes. */
    public static Attributes empty() {
        return EMPTY;
    }

    /**
     * Parses attributes from {@code region} (from its position to its limit; the buffer is not moved).
     *
     * @throws NetlinkException when an attribute's length is below 4 or runs past the region
     */
    public static Attributes parse(ByteBuffer region) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        List<Attribute> out = new ArrayList<>();
        int p = 0;
        int end = b.limit();
        while (end - p >= Netlink.NLA_HDRLEN) {
            int len = b.getShort(p) & 0xffff;
            int rawType = b.getShort(p + 2) & 0xffff;
            if (len < Netlink.NLA_HDRLEN || len > end - p) {
                throw new NetlinkException(0, null, "malformed attribute at offset " + p + ": length " + len
                        + " with " + (end - p) + " bytes left");
            }
            ByteBuffer payload = b.duplicate().position(p + Netlink.NLA_HDRLEN).limit(p + len).slice()
                    .order(ByteOrder.nativeOrder()).asReadOnlyBuffer();
            out.add(new Attribute(rawType & Netlink.NLA_TYPE_MASK, (rawType & Netlink.NLA_F_NESTED) != 0, payload));
            p += Netlink.align(len);
        }
        return out.isEmpty() ? EMPTY : new Attributes(out);
    }

    /** The last attribute of this type, or null. */
    public Attribute get(int type) {
        return type >= 0 && type < byType.length ? byType[type] : null;
    }

    public boolean has(int type) {
        return get(type) != null;
    }

    /** The attribute of this type, which must be present. */
    public Attribute require(int type, String what) {
        Attribute a = get(type);
        if (a == null) {
            throw new NetlinkException(0, null, what + ": attribute " + type + " missing");
        }
        return a;
    }

    /** All attributes in order received. */
    public List<Attribute> list() {
        return list;
    }

    public int size() {
        return list.size();
    }

    @Override
    public Iterator<Attribute> iterator() {
        return list.iterator();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (Attribute a : list) {
            s.append(s.length() > 1 ? ", " : "").append(a.type()).append(a.nested() ? "(nested)" : "")
                    .append(':').append(a.length()).append('B');
        }
        return s.append(']').toString();
    }
}
