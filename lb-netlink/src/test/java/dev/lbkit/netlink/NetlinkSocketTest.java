package dev.lbkit.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Against this machine's kernel: the generic-netlink controller is always there; an unknown family is not. */
class NetlinkSocketTest {

    @Test
    void resolvesTheControllerFamilyItself() {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            GenericNetlink.Family f = GenericNetlink.resolve(s, "nlctrl");
            assertThat(f.id()).isEqualTo(Netlink.GENL_ID_CTRL);
            assertThat(s.portId()).isNotZero();
            assertThat(s.messagesSent()).isEqualTo(1);
        }
    }

    @Test
    void anUnknownFamilyIsENOENTNamingTheFamily() {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            assertThatThrownBy(() -> GenericNetlink.resolve(s, "NOSUCHFAMILY"))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                    .hasMessageStartingWith("generic netlink family 'NOSUCHFAMILY': No such file or directory (ENOENT)");
            // the socket stays usable after an error
            assertThat(GenericNetlink.resolve(s, "nlctrl").name()).isEqualTo("nlctrl");
        }
    }

    @Test
    void aMultipartDumpListsEveryFamilyUpToDone() {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            MessageWriter w = new MessageWriter();
            w.begin(Netlink.GENL_ID_CTRL, 0).genlHeader(Netlink.CTRL_CMD_GETFAMILY, 1).end();
            List<Message> all = s.dump(w.buffer(), "dump of generic netlink families");
            assertThat(all).extracting(m -> GenericNetlink.parseFamily(m).name()).contains("nlctrl");
            assertThat(all).allMatch(m -> m.hasFlag(Netlink.NLM_F_MULTI));
        }
    }

    @Test
    void aBatchReportsEachRefusedMessageByIndexAndGoesOn() {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            MessageWriter w = new MessageWriter();
            GenericNetlink.getFamilyRequest(w, "nlctrl");
            GenericNetlink.getFamilyRequest(w, "NOSUCH1");
            GenericNetlink.getFamilyRequest(w, "nlctrl");
            GenericNetlink.getFamilyRequest(w, "NOSUCH2");
            List<NetlinkSocket.Failure> f = s.requestBatch(w.buffer());
            assertThat(f).extracting(NetlinkSocket.Failure::index).containsExactly(1, 3);
            assertThat(f).extracting(NetlinkSocket.Failure::errno).containsOnly(Errno.ENOENT);
            // replies to the successful GETs were skipped; the socket is in step for the next request
            assertThat(GenericNetlink.resolve(s, "nlctrl").id()).isEqualTo(Netlink.GENL_ID_CTRL);
        }
    }

    @Test
    void theReceiveBufferIsRaisedForLargeDumps() {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            assertThat(s.receiveBufferBytes()).isGreaterThanOrEqualTo(200_000);
        }
    }

    @Test
    void closeIsIdempotentAndAClosedSocketRefusesWork() {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        s.close();
        s.close();
        assertThatThrownBy(() -> GenericNetlink.resolve(s, "nlctrl")).isInstanceOf(IllegalStateException.class);
    }
}
