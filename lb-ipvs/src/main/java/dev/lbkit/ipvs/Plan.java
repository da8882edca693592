package dev.lbkit.ipvs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The minimal set of changes that turns the kernel's table into the desired one. Pure: no socket.
 *
 * <p>Services are compared on the settings lbkit manages ({@link IpvsService#sameSettings}), destinations on
 * theirs ({@link IpvsDestination#sameSettings}); counters never count as a difference. A service in the
 * kernel that is not desired is deleted only when it is in {@code deletable}. Within a desired service the
 * destinations are exactly the desired ones. Order: service deletions, then per service its change or
 * addition, destination deletions, changes and additions (so a replaced real server never exceeds a limit).
 */
final class Plan {
    private Plan() {}

    static List<Change> compute(Collection<DesiredService> desired, Map<IpvsServiceKey, IpvsEntry> kernel,
            Set<IpvsServiceKey> deletable) {
        List<Change> out = new ArrayList<>();
        Map<IpvsServiceKey, DesiredService> byKey = new HashMap<>();
        desired.forEach(d -> byKey.put(d.key(), d));
        for (IpvsEntry e : kernel.values()) {
            IpvsServiceKey k = e.service().key();
            if (!byKey.containsKey(k) && deletable.contains(k)) {
                out.add(new Change(Change.Kind.DEL_SERVICE, e.service(), null, null));
            }
        }
        for (DesiredService d : desired) {
            IpvsEntry now = kernel.get(d.key());
            if (now == null) {
                out.add(new Change(Change.Kind.NEW_SERVICE, d.service(), null, d));
                d.destinations().values().forEach(x -> out.add(new Change(Change.Kind.NEW_DEST, d.service(), x, d)));
                continue;
            }
            if (!now.service().sameSettings(d.service())) {
                out.add(new Change(Change.Kind.SET_SERVICE, d.service(), null, d));
            }
            Map<IpvsDestination.Key, IpvsDestination> present = new HashMap<>();
            now.destinations().forEach(x -> present.put(x.key(), x));
            for (IpvsDestination x : now.destinations()) {
                if (!d.destinations().containsKey(x.key())) {
                    out.add(new Change(Change.Kind.DEL_DEST, d.service(), x, d));
                }
            }
            List<Change> adds = new ArrayList<>();
            for (IpvsDestination x : d.destinations().values()) {
                IpvsDestination p = present.get(x.key());
                if (p == null) {
                    adds.add(new Change(Change.Kind.NEW_DEST, d.service(), x, d));
                } else if (!p.sameSettings(x)) {
                    out.add(new Change(Change.Kind.SET_DEST, d.service(), x, d));
                }
            }
            out.addAll(adds);
        }
        return out;
    }
}
