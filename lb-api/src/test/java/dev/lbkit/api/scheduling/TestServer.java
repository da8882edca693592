package dev.lbkit.api.scheduling;

/** A server whose weight, thresholds and counts a test sets; single-threaded unless a test says otherwise. */
final class TestServer implements Balanced {
    private final String name;
    private volatile int weight;
    private volatile int minConnections;
    private volatile int maxConnections;
    private volatile int active;
    private volatile int inactive;
    private volatile boolean accepts = true;

    private TestServer(String name, int weight) {
        this.name = name;
        this.weight = weight;
    }

    static TestServer named(String name, int weight) {
        return new TestServer(name, weight);
    }

    TestServer weight(int weight) {
        this.weight = weight;
        return this;
    }

    TestServer thresholds(int min, int max) {
        this.minConnections = min;
        this.maxConnections = max;
        return this;
    }

    TestServer active(int active) {
        this.active = active;
        return this;
    }

    TestServer inactive(int inactive) {
        this.inactive = inactive;
        return this;
    }

    TestServer accepts(boolean accepts) {
        this.accepts = accepts;
        return this;
    }

    /** One more active connection, as a proxy counts one it just opened. */
    void connect() {
        active++;
    }

    String name() {
        return name;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int minConnections() {
        return minConnections;
    }

    @Override
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public int activeConnections() {
        return active;
    }

    @Override
    public int inactiveConnections() {
        return inactive;
    }

    @Override
    public boolean acceptsNewConnections() {
        return accepts;
    }

    /** Available for a picker that has not yet seen it overloaded (a new picker): below its upper threshold. */
    boolean availableToANewPicker() {
        return weight > 0 && accepts && (maxConnections == 0 || (long) active + inactive < maxConnections);
    }

    @Override
    public String toString() {
        return name + "(w=" + weight + " a=" + active + " i=" + inactive + " " + minConnections + ".."
                + maxConnections + (accepts ? "" : " down") + ")";
    }
}
