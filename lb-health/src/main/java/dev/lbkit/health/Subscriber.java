package dev.lbkit.health;

/** A real server of a virtual server that a probe's results go to. */
record Subscriber(String virtualServer, String realServer) implements Comparable<Subscriber> {
    @Override
    public int compareTo(Subscriber o) {
        int c = virtualServer.compareTo(o.virtualServer);
        return c != 0 ? c : realServer.compareTo(o.realServer);
    }

    @Override
    public String toString() {
        return virtualServer + "/" + realServer;
    }
}
