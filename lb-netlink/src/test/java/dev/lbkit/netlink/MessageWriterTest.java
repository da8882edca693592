package dev.lbkit.netlink;

import static dev.lbkit.netlink.Hex.bytes;
import static dev.lbkit.netlink.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exact bytes of what the writer builds (little-endian hosts: x86-64, arm64), written by hand from netlink.h. */
class MessageWriterTest {

    @BeforeAll
    static void littleEndianHost() {
        assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void getFamilyRequestIsNlmsghdrGenlmsghdrAndANulTerminatedPaddedName() {
        byte[] actual = GenericNetlink.getFamilyRequest(new MessageWriter(), "IPVS").toByteArray();
        assertThat(hex(actual)).isEqualTo(hex(bytes("""
                20 00 00 00 | 10 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                03 01 00 00
                09 00 02 00 | 49 50 56 53 00 | 00 00 00
                """)));
    }

    @Test
    void scalarAttributesArePaddedToFourBytesWithZeros() {
        MessageWriter w = new MessageWriter();
        w.begin(0x20, 0x01).putU8(1, 0xab).putU16(2, 0x1234).putU32(3, 0xdeadbeef).putU64(4, 0x0102030405060708L)
                .putBe16(5, 80).putBe32(6, 0xffffff00).putFlag(7).end();
        assertThat(hex(w.toByteArray())).isEqualTo(hex(bytes("""
                48 00 00 00 | 20 00 | 01 00 | 00 00 00 00 | 00 00 00 00
                05 00 01 00 | ab 00 00 00
                06 00 02 00 | 34 12 00 00
                08 00 03 00 | ef be ad de
                0c 00 04 00 | 08 07 06 05 04 03 02 01
                06 00 05 00 | 00 50 00 00
                08 00 06 00 | ff ff ff 00
                04 00 07 00
                """)));
    }

    @Test
    void nestedAttributeCarriesTheNestedFlagAndItsWholeLength() {
        MessageWriter w = new MessageWriter();
        w.begin(0x21, 0x05).genlHeader(1, 1);
        int n = w.beginNested(1);
        w.putU16(1, 2);
        w.putAddress(3, InetAddress.getLoopbackAddress());
        w.endNested(n);
        w.end();
        assertThat(hex(w.toByteArray())).isEqualTo(hex(bytes("""
                28 00 00 00 | 21 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                01 01 00 00
                14 00 01 80
                   06 00 01 00 | 02 00 00 00
                   08 00 03 00 | 7f 00 00 01
                """)));
    }

    @Test
    void severalMessagesFollowEachOtherInOneBuffer() {
        MessageWriter w = new MessageWriter(16);
        w.begin(0x30, 1).genlHeader(2, 1).end();
        w.begin(0x30, 1).genlHeader(3, 1).putString(1, "").end();
        assertThat(w.messageCount()).isEqualTo(2);
        assertThat(hex(w.toByteArray())).isEqualTo(hex(bytes("""
                14 00 00 00 | 30 00 | 01 00 | 00 00 00 00 | 00 00 00 00 | 02 01 00 00
                1c 00 00 00 | 30 00 | 01 00 | 00 00 00 00 | 00 00 00 00 | 03 01 00 00 | 05 00 01 00 00 00 00 00
                """)));
        assertThat(Message.parseAll(w.buffer())).extracting(Message::genlCommand).containsExactly(2, 3);
    }

    @Test
    void anUnendedMessageOrAnAttributeTypeOutOfRangeIsRejected() {
        MessageWriter w = new MessageWriter().begin(0x10, 0);
        assertThatThrownBy(w::buffer).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.putU8(0x4000, 1)).hasMessageContaining("attribute type must be 0..16383");
    }
}
