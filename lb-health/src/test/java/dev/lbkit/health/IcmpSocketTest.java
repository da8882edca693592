package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which ICMP messages answer which echo request: golden bytes, no socket (descriptor -1). */
class IcmpSocketTest {
    private static final byte[] TARGET = sockaddr("10.213.77.2");
    private static final byte[] OTHER = addr("10.213.77.9");

    private static byte[] sockaddr(String a) {
        try {
            return Native.sockaddr(InetAddress.getByName(a), 0);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] addr(String a) {
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4 packet (20-byte header) carrying this ICMP message, as a raw socket receives it. */
    private static byte[] ipv4(byte[] icmp) {
        byte[] p = new byte[20 + icmp.length];
        p[0] = 0x45;
        System.arraycopy(icmp, 0, p, 20, icmp.length);
        return p;
    }

    /** The reply a well-behaved host makes to a request: type 0, same identifier, sequence and payload. */
    private static byte[] replyTo(byte[] request) {
        byte[] r = request.clone();
        r[0] = IcmpSocket.ECHO_REPLY_V4;
        return r;
    }

    @Test
    void aRawSocketTakesOnlyTheReplyWithItsIdentifierSequenceTokenAndSource() throws Exception {
        IcmpSocket s = new IcmpSocket(null, Native.AF_INET, true, -1);
        int seq = s.expect(TARGET, () -> { });
        byte[] request = s.packet().clone();
        assertThat(request[0]).isEqualTo((byte) IcmpSocket.ECHO_REQUEST_V4);
        assertThat(IcmpSocket.checksum(request, 0, request.length)).isZero(); // the checksum is filled in

        byte[] reply = ipv4(replyTo(request));
        assertThat(s.match(reply, reply.length, addr("10.213.77.2"))).isEqualTo(seq);
        assertThat(s.match(reply, reply.length, OTHER)).as("from another host").isEqualTo(-1);

        byte[] otherId = replyTo(request);
        otherId[5] ^= 1;
        assertThat(s.match(ipv4(otherId), otherId.length + 20, addr("10.213.77.2"))).as("another program's").isEqualTo(-1);

        byte[] otherToken = replyTo(request);
        otherToken[12] ^= 1;
        assertThat(s.match(ipv4(otherToken), otherToken.length + 20, addr("10.213.77.2"))).isEqualTo(-1);

        byte[] ownRequest = ipv4(request); // a raw socket also sees echo requests (ours to loopback)
        assertThat(s.match(ownRequest, ownRequest.length, addr("10.213.77.2"))).isEqualTo(-1);

        byte[] truncated = Arrays.copyOf(reply, 30);
        assertThat(s.match(truncated, truncated.length, addr("10.213.77.2"))).isEqualTo(-1);

        s.forget(seq);
        assertThat(s.match(reply, reply.length, addr("10.213.77.2"))).as("after the attempt ended").isEqualTo(-1);
    }

    @Test
    void aDatagramSocketMatchesBySequenceBecauseTheKernelOwnsTheIdentifier() throws Exception {
        IcmpSocket s = new IcmpSocket(null, Native.AF_INET, false, -1);
        int seq = s.expect(TARGET, () -> { });
        byte[] reply = replyTo(s.packet());
        reply[4] = 0x12; // the kernel rewrote the identifier to the socket's
        reply[5] = 0x34;
        assertThat(s.match(reply, reply.length, addr("10.213.77.2"))).isEqualTo(seq);
        int second = s.expect(TARGET, () -> { });
        assertThat(second).isEqualTo((seq + 1) & 0xffff);
    }

    @Test
    void icmpv6RepliesAreType129WithoutAnIpHeader() throws Exception {
        IcmpSocket s = new IcmpSocket(null, Native.AF_INET6, true, -1);
        int seq = s.expect(sockaddr("fd42:213:77::2"), () -> { });
        byte[] reply = s.packet().clone();
        assertThat(reply[0]).isEqualTo((byte) IcmpSocket.ECHO_REQUEST_V6);
        reply[0] = (byte) IcmpSocket.ECHO_REPLY_V6;
        assertThat(s.match(reply, reply.length, addr("fd42:213:77::2"))).isEqualTo(seq);
        assertThat(s.match(reply, reply.length, addr("fd42:213:77::3"))).isEqualTo(-1);
    }
}
