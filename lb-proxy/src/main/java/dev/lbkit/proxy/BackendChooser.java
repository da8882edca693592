package dev.lbkit.proxy;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.scheduling.PickKey;
import dev.lbkit.api.scheduling.Picker;
import java.net.InetAddress;
import java.util.List;

/**
 * Chooses the real server for a new connection with lb-api's {@link Picker} for the virtual server's
 * scheduler. Thread-safe (the picker is); rebuilt by the applying thread whenever the configuration changes,
 * which also resets the picker's overload flags as IPVS does when thresholds are edited.
 */
final class BackendChooser {
    private final Picker<Backend> picker;
    private final boolean hashesSource;

    BackendChooser(Scheduler scheduler, List<Backend> backends) {
        this.picker = Picker.create(scheduler, backends, b -> b.label);
        this.hashesSource = scheduler == Scheduler.SH || scheduler == Scheduler.MH;
    }

    /** A server available for a new connection, or null when there is none. */
    Backend pick(InetAddress source) {
        // only the hashing schedulers read the key: spare the others its allocation
        PickKey key = hashesSource ? PickKey.of(source) : PickKey.none();
        return picker.pick(key).orElse(null);
    }
}
