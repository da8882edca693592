package dev.lbkit.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins every constant lbkit uses to the kernel's UAPI headers as installed by linux-libc-dev (skips when the
 * headers are absent). The values are also written in {@link Netlink}, so a build without headers still
 * has them; this test catches a typo.
 */
class NetlinkHeaderConstantsTest {

    static Map<String, Long> header(String name) throws IOException {
        Path p = Path.of("/usr/include/linux", name);
        assumeTrue(Files.exists(p), "kernel UAPI headers not installed: " + p);
        return UapiHeader.parse(Files.readString(p));
    }

    @Test
    void netlinkHConstantsMatch() throws IOException {
        Map<String, Long> h = header("netlink.h");
        assertThat(h).containsEntry("NETLINK_ROUTE", (long) Netlink.NETLINK_ROUTE)
                .containsEntry("NETLINK_GENERIC", (long) Netlink.NETLINK_GENERIC)
                .containsEntry("NLM_F_REQUEST", (long) Netlink.NLM_F_REQUEST)
                .containsEntry("NLM_F_MULTI", (long) Netlink.NLM_F_MULTI)
                .containsEntry("NLM_F_ACK", (long) Netlink.NLM_F_ACK)
                .containsEntry("NLM_F_ECHO", (long) Netlink.NLM_F_ECHO)
                .containsEntry("NLM_F_DUMP_INTR", (long) Netlink.NLM_F_DUMP_INTR)
                .containsEntry("NLM_F_DUMP_FILTERED", (long) Netlink.NLM_F_DUMP_FILTERED)
                .containsEntry("NLM_F_ROOT", (long) Netlink.NLM_F_ROOT)
                .containsEntry("NLM_F_MATCH", (long) Netlink.NLM_F_MATCH)
                .containsEntry("NLM_F_REPLACE", (long) Netlink.NLM_F_REPLACE)
                .containsEntry("NLM_F_EXCL", (long) Netlink.NLM_F_EXCL)
                .containsEntry("NLM_F_CREATE", (long) Netlink.NLM_F_CREATE)
                .containsEntry("NLM_F_CAPPED", (long) Netlink.NLM_F_CAPPED)
                .containsEntry("NLM_F_ACK_TLVS", (long) Netlink.NLM_F_ACK_TLVS)
                .containsEntry("NLMSG_NOOP", (long) Netlink.NLMSG_NOOP)
                .containsEntry("NLMSG_ERROR", (long) Netlink.NLMSG_ERROR)
                .containsEntry("NLMSG_DONE", (long) Netlink.NLMSG_DONE)
                .containsEntry("NLMSG_OVERRUN", (long) Netlink.NLMSG_OVERRUN)
                .containsEntry("NLMSG_MIN_TYPE", (long) Netlink.NLMSG_MIN_TYPE)
                .containsEntry("NLMSGERR_ATTR_MSG", (long) Netlink.NLMSGERR_ATTR_MSG)
                .containsEntry("NLMSGERR_ATTR_OFFS", (long) Netlink.NLMSGERR_ATTR_OFFS)
                .containsEntry("NLMSGERR_ATTR_COOKIE", (long) Netlink.NLMSGERR_ATTR_COOKIE)
                .containsEntry("NLMSGERR_ATTR_POLICY", (long) Netlink.NLMSGERR_ATTR_POLICY)
                .containsEntry("NLMSGERR_ATTR_MISS_TYPE", (long) Netlink.NLMSGERR_ATTR_MISS_TYPE)
                .containsEntry("NLMSGERR_ATTR_MISS_NEST", (long) Netlink.NLMSGERR_ATTR_MISS_NEST)
                .containsEntry("NETLINK_CAP_ACK", (long) Netlink.NETLINK_CAP_ACK)
                .containsEntry("NETLINK_EXT_ACK", (long) Netlink.NETLINK_EXT_ACK)
                .containsEntry("NETLINK_GET_STRICT_CHK", (long) Netlink.NETLINK_GET_STRICT_CHK)
                .containsEntry("NLA_F_NESTED", (long) Netlink.NLA_F_NESTED)
                .containsEntry("NLA_F_NET_BYTEORDER", (long) Netlink.NLA_F_NET_BYTEORDER)
                .containsEntry("NLA_ALIGNTO", 4L)
                .containsEntry("NLMSG_ALIGNTO", 4L);
    }

    @Test
    void genetlinkHConstantsMatch() throws IOException {
        Map<String, Long> h = header("genetlink.h");
        assertThat(h).containsEntry("GENL_NAMSIZ", (long) Netlink.GENL_NAMSIZ)
                .containsEntry("CTRL_CMD_GETFAMILY", (long) Netlink.CTRL_CMD_GETFAMILY)
                .containsEntry("CTRL_ATTR_FAMILY_ID", (long) Netlink.CTRL_ATTR_FAMILY_ID)
                .containsEntry("CTRL_ATTR_FAMILY_NAME", (long) Netlink.CTRL_ATTR_FAMILY_NAME)
                .containsEntry("CTRL_ATTR_VERSION", (long) Netlink.CTRL_ATTR_VERSION)
                .containsEntry("CTRL_ATTR_HDRSIZE", (long) Netlink.CTRL_ATTR_HDRSIZE)
                .containsEntry("CTRL_ATTR_MAXATTR", (long) Netlink.CTRL_ATTR_MAXATTR);
        assertThat(Netlink.GENL_ID_CTRL).isEqualTo(Netlink.NLMSG_MIN_TYPE); // #define GENL_ID_CTRL NLMSG_MIN_TYPE
    }
}
