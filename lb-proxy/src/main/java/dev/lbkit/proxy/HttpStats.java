package dev.lbkit.proxy;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingWindowReservoir;
import dev.lbkit.proxy.http.HttpCodecException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request counters of a VIP, a pool or a real server in the HTTP proxy: requests by status class, requests the
 * proxy answered itself, latency (microseconds from the request head to the end of the response, over the last
 * 1,028 requests: a sliding window costs an array store per request, where the decaying reservoir's skip list
 * took 7-10 % of the proxy's CPU at 100 B requests) and the requests in flight. Thread-safe; updated by every I/O
 * loop.
 */
final class HttpStats {
    /** Index 0: requests that got no status (aborted); 1..5: 1xx..5xx. */
    final Counter[] byClass = new Counter[6];
    final Histogram latencyMicros = new Histogram(new SlidingWindowReservoir(1028));
    final AtomicInteger active = new AtomicInteger();
    final Counter rejected = new Counter();
    /** Rejections by the rule broken (VIPs: requests; real servers: responses). */
    final Counter[] rejectedBy = new Counter[HttpCodecException.Reason.values().length];
    /** Requests closed for a head that did not arrive within the client header timeout (408). */
    final Counter headerTimeouts = new Counter();

    HttpStats() {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new Counter();
        }
        for (int i = 0; i < rejectedBy.length; i++) {
            rejectedBy[i] = new Counter();
        }
    }

    /** Counts a message refused by the codec, in total and by reason. */
    void reject(HttpCodecException e) {
        rejected.inc();
        rejectedBy[e.reason().ordinal()].inc();
    }

    void record(int status, long micros) {
        int c = status / 100;
        byClass[c >= 1 && c <= 5 ? c : 0].inc();
        if (micros >= 0) {
            latencyMicros.update(micros);
        }
    }

    long requests(int statusClass) {
        return byClass[statusClass].getCount();
    }

    /** Registers under {@code prefix} ({@code lbkit.web.} gives {@code lbkit.web.http.requests.2xx}). */
    void register(MetricRegistry metrics, String prefix) {
        String p = prefix + "http.";
        for (int i = 0; i < byClass.length; i++) {
            String name = p + "requests." + (i == 0 ? "aborted" : i + "xx");
            metrics.remove(name);
            metrics.register(name, byClass[i]);
        }
        metrics.remove(p + "latencyMicros");
        metrics.register(p + "latencyMicros", latencyMicros);
        metrics.remove(p + "activeRequests");
        metrics.register(p + "activeRequests", (Gauge<Integer>) active::get);
        metrics.remove(p + "rejected");
        metrics.register(p + "rejected", rejected);
        for (HttpCodecException.Reason r : HttpCodecException.Reason.values()) {
            String name = p + "rejected." + r.name().toLowerCase(java.util.Locale.ROOT);
            metrics.remove(name);
            metrics.register(name, rejectedBy[r.ordinal()]);
        }
        metrics.remove(p + "headerTimeouts");
        metrics.register(p + "headerTimeouts", headerTimeouts);
    }
}
