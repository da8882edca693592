package dev.lbkit.netlink;

import static dev.lbkit.netlink.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing replies the kernel sends, from hand-written bytes. */
class MessageParsingTest {

    @Test
    void anErrorWithExtendedAckCarriesErrnoAndTheKernelText() {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS; error -17; the echoed header only; NLMSGERR_ATTR_MSG "bad"
        List<Message> ms = Message.parseAll(ByteBuffer.wrap(bytes("""
                2c 00 00 00 | 02 00 | 00 03 | 07 00 00 00 | 99 00 00 00
                ef ff ff ff
                20 00 00 00 | 22 00 | 05 00 | 07 00 00 00 | 00 00 00 00
                08 00 01 00 | 62 61 64 00
                """)));
        assertThat(ms).hasSize(1);
        Message m = ms.get(0);
        assertThat(m.isError()).isTrue();
        assertThat(m.seq()).isEqualTo(7);
        assertThat(m.errorCode()).isEqualTo(Errno.EEXIST);
        assertThat(m.extendedAckMessage()).isEqualTo("bad");
        assertThat(NetlinkException.of("IPVS NEW_SERVICE 10.0.0.1:80/tcp", m.errorCode(), m.extendedAckMessage()))
                .hasMessage("IPVS NEW_SERVICE 10.0.0.1:80/tcp: File exists (EEXIST): bad");
    }

    @Test
    void anErrorWithoutCappedEchoesTheRequestBeforeTheAttributes() {
        List<Message> ms = Message.parseAll(ByteBuffer.wrap(bytes("""
                34 00 00 00 | 02 00 | 00 02 | 01 00 00 00 | 00 00 00 00
                ea ff ff ff
                18 00 00 00 | 22 00 | 05 00 | 01 00 00 00 | 00 00 00 00 | 01 01 00 00 | 04 00 01 00
                08 00 01 00 | 78 79 7a 00
                """)));
        assertThat(ms.get(0).errorCode()).isEqualTo(Errno.EINVAL);
        assertThat(ms.get(0).extendedAckMessage()).isEqualTo("xyz");
    }

    @Test
    void anAckIsAnErrorOfZero() {
        Message m = Message.parseAll(ByteBuffer.wrap(bytes("""
                24 00 00 00 | 02 00 | 00 01 | 05 00 00 00 | 00 00 00 00 | 00 00 00 00
                10 00 00 00 | 22 00 | 05 00 | 05 00 00 00 | 00 00 00 00
                """))).get(0);
        assertThat(m.errorCode()).isZero();
        assertThat(m.extendedAckMessage()).isNull();
    }

    @Test
    void doneEndsADumpWithItsStatus() {
        Message m = Message.parseAll(ByteBuffer.wrap(bytes("14 00 00 00 03 00 02 00 09 00 00 00 00 00 00 00 00 00 00 00")))
                .get(0);
        assertThat(m.isDone()).isTrue();
        assertThat(m.hasFlag(Netlink.NLM_F_MULTI)).isTrue();
        assertThat(m.doneCode()).isZero();
    }

    @Test
    void aFamilyReplyResolvesToItsIdVersionAndMaxAttr() {
        Message m = Message.parseAll(ByteBuffer.wrap(bytes("""
                38 00 00 00 | 10 00 | 00 00 | 01 00 00 00 | 00 00 00 00
                01 02 00 00
                09 00 02 00 | 49 50 56 53 00 00 00 00
                06 00 01 00 | 23 00 00 00
                08 00 03 00 | 01 00 00 00
                08 00 05 00 | 06 00 00 00
                """))).get(0);
        assertThat(GenericNetlink.parseFamily(m)).isEqualTo(new GenericNetlink.Family("IPVS", 0x23, 1, 6));
    }

    @Test
    void truncatedOrImpossibleLengthsAreRejectedNotOverread() {
        assertThatThrownBy(() -> Message.parseAll(ByteBuffer.wrap(bytes("40 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00"))))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("malformed netlink message");
        assertThatThrownBy(() -> Attributes.parse(ByteBuffer.wrap(bytes("09 00 01 00 00 00 00 00"))))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("malformed attribute");
        assertThatThrownBy(() -> Attributes.parse(ByteBuffer.wrap(bytes("02 00 01 00"))))
                .isInstanceOf(NetlinkException.class);
        assertThatThrownBy(() -> Attributes.parse(ByteBuffer.wrap(bytes("06 00 01 00 00 00 00 00"))).get(1).u32())
                .hasMessageContaining("attribute 1: payload of 2 bytes, expected at least 4");
    }
}
