package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every number in {@link IpvsAttributes} equals the kernel header's (include/uapi/linux/ip_vs.h as installed by
 * linux-libc-dev): lbkit writes them explicitly instead of relying on declaration order, and this test pins
 * them. Skips when the header is not installed.
 */
class IpvsHeaderConstantsTest {
    /** Constants that are lbkit's own or come from other headers. */
    private static final Set<String> NOT_IN_IP_VS_H = Set.of("SVC_F_OWNED", "AF_INET", "AF_INET6", "IPPROTO_TCP",
            "IPPROTO_UDP", "IPPROTO_SCTP");

    static String headerName(String field) {
        if (field.startsWith("CMD_") || field.startsWith("SVC_ATTR_") || field.startsWith("DEST_ATTR_")
                || field.startsWith("STATS_ATTR_") || field.startsWith("INFO_ATTR_") || field.startsWith("GENL_")
                || field.startsWith("DAEMON_ATTR_")) {
            return "IPVS_" + field;
        }
        if (field.startsWith("TUNNEL_TYPE_")) {
            return "IP_VS_CONN_F_" + field;
        }
        return "IP_VS_" + field;
    }

    @Test
    void everyAttributeCommandAndFlagNumberMatchesIpVsH() throws Exception {
        Path p = Path.of("/usr/include/linux/ip_vs.h");
        assumeTrue(Files.exists(p), "kernel UAPI headers not installed");
        Map<String, Long> h = UapiHeader.parse(Files.readString(p));
        List<String> checked = new ArrayList<>();
        for (Field f : IpvsAttributes.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class
                    || NOT_IN_IP_VS_H.contains(f.getName())) {
                continue;
            }
            f.setAccessible(true);
            String name = headerName(f.getName());
            assertThat(h).as(name).containsKey(name);
            assertThat(h.get(name)).as(name).isEqualTo((long) f.getInt(null));
            checked.add(name);
        }
        assertThat(checked).hasSizeGreaterThan(70).contains("IPVS_SVC_ATTR_STATS64", "IPVS_DEST_ATTR_TUN_FLAGS",
                "IPVS_CMD_FLUSH", "IP_VS_SVC_F_SCHED3", "IP_VS_CONN_F_DROUTE", "IPVS_DAEMON_ATTR_MCAST_TTL",
                "IP_VS_STATE_BACKUP");
        assertThat(IpvsAttributes.GENL_NAME).isEqualTo("IPVS"); // #define IPVS_GENL_NAME "IPVS"
    }
}
