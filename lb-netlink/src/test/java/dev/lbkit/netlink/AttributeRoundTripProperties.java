package dev.lbkit.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever tree of attributes the writer encodes, the parser reads back identically. */
class AttributeRoundTripProperties {

    /** A model attribute: a leaf of raw bytes, or a nest of children. */
    record Node(int type, byte[] leaf, List<Node> children) {
        boolean nested() {
            return children != null;
        }
    }

    @Provide
    Arbitrary<List<Node>> trees() {
        return nodes(3).list().ofMaxSize(6);
    }

    private Arbitrary<Node> nodes(int depth) {
        Arbitrary<Node> leaf = Arbitraries.integers().between(0, Netlink.NLA_TYPE_MASK)
                .flatMap(t -> Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b -> new Node(t, b, null)));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Node> nest = Arbitraries.integers().between(0, Netlink.NLA_TYPE_MASK)
                .flatMap(t -> nodes(depth - 1).list().ofMaxSize(4).map(c -> new Node(t, null, c)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(1, nest));
    }

    @Property(tries = 300)
    void encodingThenParsingGivesBackEveryAttributeInOrder(@ForAll("trees") List<Node> tree) {
        MessageWriter w = new MessageWriter(8);
        w.begin(0x40, Netlink.NLM_F_REQUEST).genlHeader(1, 1);
        write(w, tree);
        w.end();
        List<Message> parsed = Message.parseAll(w.buffer());
        assertThat(parsed).hasSize(1);
        assertThat(parsed.get(0).payload().remaining() % 4).isZero();
        assertSame(tree, parsed.get(0).genlAttributes());
    }

    @Property(tries = 200)
    void scalarsRoundTrip(@ForAll int u32, @ForAll long u64, @ForAll short u16, @ForAll byte u8) {
        MessageWriter w = new MessageWriter();
        w.begin(0x40, 0).putU8(1, u8).putU16(2, u16).putU32(3, u32).putU64(4, u64).putBe16(5, u16).putBe32(6, u32)
                .putString(7, "x" + u32).end();
        Attributes a = Message.parseAll(w.buffer()).get(0).attributes(0);
        assertThat(a.get(1).u8()).isEqualTo(u8 & 0xff);
        assertThat(a.get(2).u16()).isEqualTo(u16 & 0xffff);
        assertThat(a.get(3).u32()).isEqualTo(u32);
        assertThat(a.get(4).u64()).isEqualTo(u64);
        assertThat(a.get(5).be16()).isEqualTo(u16 & 0xffff);
        assertThat(a.get(6).be32()).isEqualTo(u32);
        assertThat(a.get(7).string()).isEqualTo("x" + u32);
    }

    private static void write(MessageWriter w, List<Node> nodes) {
        for (Node n : nodes) {
            if (n.nested()) {
                int t = w.beginNested(n.type());
                write(w, n.children());
                w.endNested(t);
            } else {
                w.putBytes(n.type(), n.leaf());
            }
        }
    }

    private static void assertSame(List<Node> expected, Attributes actual) {
        List<Attribute> list = new ArrayList<>(actual.list());
        assertThat(list).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Node e = expected.get(i);
            Attribute a = list.get(i);
            assertThat(a.type()).isEqualTo(e.type());
            assertThat(a.nested()).isEqualTo(e.nested());
            if (e.nested()) {
                assertSame(e.children(), a.attributes());
            } else {
                assertThat(Arrays.equals(a.bytes(), e.leaf())).isTrue();
            }
        }
    }
}
