package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Picks the server for a new connection, the way the Linux kernel's IPVS scheduler of the same name does, for
 * dataplanes that balance in userspace (the proxy) and for client-side balancing.
 *
 * <h2>Availability</h2>
 * A server is <em>available</em> when {@link Balanced#acceptsNewConnections()}, its weight is above 0 and it
 * is not overloaded. Overload follows IPVS's hysteresis: with {@link Balanced#maxConnections()} {@code u > 0}
 * the server becomes overloaded when active + inactive connections reach {@code u}, and stays so until they
 * fall below {@link Balanced#minConnections()} (when above 0) or below {@code 3u/4}. The picker keeps that
 * flag per server and evaluates it when a pick looks at the server. No scheduler ever picks a server that is
 * not available.
 *
 * <h2>Schedulers</h2>
 * <table>
 *   <caption>what each scheduler picks among the available servers</caption>
 *   <tr><th>scheduler</th><th>picks</th></tr>
 *   <tr><td>RR</td><td>the next server in list order after the one picked last</td></tr>
 *   <tr><td>WRR</td><td>smooth weighted round robin (nginx): over every {@code W = sum(weights)} picks, each
 *       server exactly its weight, spread out rather than in runs</td></tr>
 *   <tr><td>LC</td><td>least {@code 256 * active + inactive}; ties go to the first in the list</td></tr>
 *   <tr><td>WLC</td><td>least {@code (256 * active + inactive) / weight}; ties: first</td></tr>
 *   <tr><td>SED</td><td>least {@code (active + 1) / weight}; ties: first</td></tr>
 *   <tr><td>NQ</td><td>the first idle server (0 active), else as SED</td></tr>
 *   <tr><td>SH</td><td>the server of bucket {@code hash(source) mod 256}; each server fills {@code weight}
 *       consecutive buckets in turn</td></tr>
 *   <tr><td>DH</td><td>the server of bucket {@code hash(destination) mod 256}; one bucket per server in
 *       turn, weights ignored; nothing when that server is not available</td></tr>
 *   <tr><td>MH</td><td>Maglev: the server of slot {@code hash(source) mod 4093} of a table filled from each
 *       server's permutation, in turns proportional to weight</td></tr>
 *   <tr><td>LBLC</td><td>the server this destination went to last, until it is overloaded (more active
 *       connections than its weight while another server has fewer than half its weight); then as WLC</td></tr>
 *   <tr><td>LBLCR</td><td>as LBLC with a set of servers per destination, growing under load and shrinking
 *       after 24 hours without change</td></tr>
 *   <tr><td>FO</td><td>the server with the highest weight; ties: first</td></tr>
 *   <tr><td>OVF</td><td>the server with the highest weight whose active connections do not exceed its weight
 *       (as IPVS: {@code active <= weight}); ties: first</td></tr>
 * </table>
 * Which half of the {@link PickKey} the hashing schedulers use is described there; the others ignore the key.
 *
 * <p><b>Fallback.</b> SH and MH behave as IPVS with the {@code sh-fallback} / {@code mh-fallback} flag: when a
 * key's server is not available, the key goes to the first available server in the following buckets (slots),
 * so only the keys of that server move. DH has no fallback: the key gets no server, as in IPVS.
 *
 * <h2>What is read when</h2>
 * Every scheduler reads weights, thresholds, counts and {@link Balanced#acceptsNewConnections()} at each pick
 * to decide availability and load; SH and MH also lay out their tables from the weights read in {@code create}.
 * Build a new picker when the server list changes, and for SH and MH also when a weight changes. A new picker
 * starts with no server overloaded, as IPVS clears the flag when a server's thresholds are edited. To drain a server of an MH or SH picker without remapping the
 * keys of the others, report {@code acceptsNewConnections() == false} and keep its weight: its keys fall back to
 * the next slots while it drains, whereas weight 0 at {@code create} leaves it out of the table. (IPVS keeps a
 * quiesced server's slots through {@code last_weight}; a picker only sees the weights it is built with.)
 *
 * <h2>Threads</h2>
 * Thread-safe: the proxy calls {@link #pick} from several I/O threads at once. RR advances a lock-free cursor;
 * WRR serializes picks on a lock (its state changes on every pick); LBLC and LBLCR serialize on their
 * destination table; the others hold no lock and change at most the overload flags. No pick blocks on I/O.
 *
 * @param <T> the server type, returned as is by {@link #pick}
 */
public abstract class Picker<T extends Balanced> {
    private final Scheduler scheduler;
    private final List<T> servers;
    /** The servers in list order, with their overload flags; indices are the list's. */
    final Slot[] slots;

    Picker(Scheduler scheduler, List<T> servers) {
        this.scheduler = scheduler;
        this.servers = servers;
        this.slots = new Slot[servers.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(servers.get(i));
        }
    }

    /**
     * A picker for {@code servers} with each server's {@code toString()} as its identity for MH. Use the
     * three-argument form for MH unless {@code toString()} is stable and unique: a text that includes the weight
     * or the counts (as {@link dev.lbkit.api.RealServer#toString()} includes the weight) reshuffles the table
     * whenever they change.
     *
     * @throws NullPointerException     as {@link #create(Scheduler, List, Function)}
     * @throws IllegalArgumentException as {@link #create(Scheduler, List, Function)}
     */
    public static <T extends Balanced> Picker<T> create(Scheduler scheduler, List<T> servers) {
        return create(scheduler, servers, Object::toString);
    }

    /**
     * A picker for {@code servers} (copied; order matters for ties and for the table schedulers).
     *
     * <p>{@code identity} names each server for MH, whose table derives each server's slot permutation from it
     * (IPVS hashes the server's address and port). It must be stable across pickers (the same server, the same
     * name, whatever its weight or counts) and unique in the list: the real server's
     * {@link dev.lbkit.api.RealServer#endpoint() endpoint} or label. Other schedulers ignore it. An empty list
     * gives a picker that never picks.
     *
     * @param scheduler which scheduler, never null
     * @param servers   the servers, never null, no null element; may be empty
     * @param identity  a stable, unique name per server, never null, never returning null (used by MH only)
     * @throws NullPointerException     naming the argument or the list index that is null
     * @throws IllegalArgumentException for MH, when two servers share an identity or more than 4093 servers
     *                                  have a weight above 0 (IPVS's limit for its table)
     */
    public static <T extends Balanced> Picker<T> create(Scheduler scheduler, List<T> servers,
            Function<? super T, String> identity) {
        return create(scheduler, servers, identity, System::nanoTime);
    }

    /** As the public form, with the clock that LBLC and LBLCR age their tables by (tests pass a fake one). */
    static <T extends Balanced> Picker<T> create(Scheduler scheduler, List<T> servers,
            Function<? super T, String> identity, LongSupplier nanoClock) {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(servers, "servers");
        Objects.requireNonNull(identity, "identity");
        List<T> copy = new ArrayList<>(servers.size());
        for (T server : servers) {
            if (server == null) {
                throw new NullPointerException("servers[" + copy.size() + "] is null");
            }
            copy.add(server);
        }
        List<T> list = Collections.unmodifiableList(copy);
        switch (scheduler) {
            case RR:
                return new RoundRobinPicker<>(list);
            case WRR:
                return new SmoothWeightedRoundRobinPicker<>(list);
            case LC:
            case WLC:
            case SED:
            case NQ:
                return new LeastConnectionsPicker<>(scheduler, list);
            case FO:
            case OVF:
                return new HighestWeightPicker<>(scheduler, list);
            case SH:
                return BucketPicker.sourceHashing(list);
            case DH:
                return BucketPicker.destinationHashing(list);
            case MH:
                return new MaglevPicker<>(list, identity);
            case LBLC:
                return new LocalityPicker<>(list, nanoClock);
            case LBLCR:
                return new ReplicatedLocalityPicker<>(list, nanoClock);
            default:
                throw new AssertionError("scheduler " + scheduler + " has no picker");
        }
    }

    /**
     * Picks the server for a new connection.
     *
     * @param key what the hashing schedulers hash (see {@link PickKey}); never null, use {@link PickKey#none()}
     *            when there is nothing to hash
     * @return the server, or empty when no server can take the connection now
     * @throws NullPointerException when {@code key} is null
     */
    public final Optional<T> pick(PickKey key) {
        Objects.requireNonNull(key, "key");
        int i = pickIndex(key);
        return i < 0 ? Optional.empty() : Optional.of(servers.get(i));
    }

    /** The index in {@link #servers()} of the server for a new connection, or -1 for none. */
    abstract int pickIndex(PickKey key);

    /** The scheduler this picker implements; never null. */
    public final Scheduler scheduler() {
        return scheduler;
    }

    /** The servers, in the order given to {@code create}; unmodifiable, never null. */
    public final List<T> servers() {
        return servers;
    }

    @Override
    public String toString() {
        return "Picker{" + scheduler.ipvsName() + ", " + servers.size() + " servers}";
    }
}
