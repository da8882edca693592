package dev.lbkit.health;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.FailureAction;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Vip;
import dev.lbkit.api.VirtualServer;
import java.net.InetAddress;
import java.util.Optional;

/**
 * What makes two checks the same probe: the address and port checked and the check itself. What a failure does
 * ({@link FailureAction}) and the address override (already folded into {@code address}) are left out, so
 * virtual servers that differ only there share one probe.
 *
 * @param address the address checked: the check's override, else the real server's
 * @param port    the port checked: the check's, else the real server's, else the VIP's; 0 when none is known
 *                (and the check needs one, the probe fails with a reason saying so)
 * @param check   the check with its settings normalised as described
 */
record ProbeKey(InetAddress address, int port, HealthCheck check) {

    static ProbeKey of(VirtualServer vs, RealServer rs) {
        HealthCheck c = vs.healthCheck();
        CheckSettings s = c.settings();
        InetAddress address = s.address().orElse(rs.address());
        int vipPort = vs.vip() instanceof Vip.Socket ? ((Vip.Socket) vs.vip()).port() : 0;
        int port = s.port() != 0 ? s.port() : rs.effectivePort(vipPort);
        if (c instanceof HealthCheck.Dns && s.port() == 0 && port == 0) {
            port = 53;
        }
        if (c instanceof HealthCheck.Ping) {
            port = 0;
        }
        CheckSettings normal = new CheckSettings(s.interval(), s.fastInterval(), s.downInterval(), s.timeout(),
                s.rise(), s.fall(), s.initiallyUp(), FailureAction.QUIESCE, s.port(), Optional.empty(),
                s.sourceAddress());
        return new ProbeKey(address, port, c.withSettings(normal));
    }

    String describe() {
        String a = address.getHostAddress();
        if (a.indexOf(':') >= 0) {
            a = "[" + a + "]";
        }
        return port == 0 ? a : a + ":" + port;
    }
}
