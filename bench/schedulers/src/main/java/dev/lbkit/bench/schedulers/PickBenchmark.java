package dev.lbkit.bench.schedulers;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.scheduling.Balanced;
import dev.lbkit.api.scheduling.PickKey;
import dev.lbkit.api.scheduling.Picker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Picks per second of one {@link Picker} per scheduler and server count, on one thread, with random keys (source
 * and destination IPv4 addresses) drawn in turn from a precomputed array, so key creation is not measured.
 *
 * <p>Servers have weights 1..10, fixed random active (0..99) and inactive (0..9) counts and no thresholds; the
 * counts do not change with picks, so LC-type schedulers scan every server at every pick (their cost is the scan)
 * and LBLC/LBLCR see a steady state after the first pass over the keys (their cost is the table lookup).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PickBenchmark {
    private static final int KEYS = 4096;

    @Param({"RR", "WRR", "LC", "WLC", "SED", "NQ", "SH", "DH", "MH", "LBLC", "LBLCR", "FO", "OVF"})
    public String scheduler;

    @Param({"10", "1000"})
    public int servers;

    private Picker<Server> picker;
    private PickKey[] keys;
    private int next;

    /** A server with fixed counts, as a proxy's per-server counters would report them between changes. */
    static final class Server implements Balanced {
        private final String endpoint;
        private final int weight;
        private final int active;
        private final int inactive;

        Server(String endpoint, int weight, int active, int inactive) {
            this.endpoint = endpoint;
            this.weight = weight;
            this.active = active;
            this.inactive = inactive;
        }

        @Override
        public int weight() {
            return weight;
        }

        @Override
        public int activeConnections() {
            return active;
        }

        @Override
        public int inactiveConnections() {
            return inactive;
        }

        String endpoint() {
            return endpoint;
        }
    }

    @Setup
    public void setUp() throws UnknownHostException {
        SplittableRandom random = new SplittableRandom(42);
        List<Server> list = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            list.add(new Server("10.1." + (i >> 8) + "." + (i & 0xFF) + ":80", 1 + random.nextInt(10),
                    random.nextInt(100), random.nextInt(10)));
        }
        picker = Picker.create(Scheduler.valueOf(scheduler), list, Server::endpoint);
        keys = new PickKey[KEYS];
        byte[] source = new byte[4];
        byte[] destination = new byte[4];
        for (int i = 0; i < KEYS; i++) {
            random.nextBytes(source);
            random.nextBytes(destination);
            keys[i] = PickKey.of(InetAddress.getByAddress(source), InetAddress.getByAddress(destination));
        }
    }

    @Benchmark
    public Optional<Server> pick() {
        PickKey key = keys[next];
        next = (next + 1) & (KEYS - 1);
        return picker.pick(key);
    }
}
