package dev.lbkit.ipvs;

import dev.lbkit.netlink.MessageWriter;

/**
 * One message of a reconciliation: what it does, to which service and destination, and how to name it in an
 * error.
 */
record Change(Kind kind, IpvsService service, IpvsDestination destination, DesiredService owner) {

    enum Kind {
        DEL_SERVICE, NEW_SERVICE, SET_SERVICE, DEL_DEST, NEW_DEST, SET_DEST
    }

    IpvsServiceKey key() {
        return service.key();
    }

    void write(MessageWriter w, int familyId) {
        switch (kind) {
            case DEL_SERVICE -> IpvsCodec.delService(w, familyId, key());
            case NEW_SERVICE -> IpvsCodec.newService(w, familyId, service);
            case SET_SERVICE -> IpvsCodec.setService(w, familyId, service);
            case DEL_DEST -> IpvsCodec.delDestination(w, familyId, key(), destination.key());
            case NEW_DEST -> IpvsCodec.newDestination(w, familyId, key(), destination);
            case SET_DEST -> IpvsCodec.setDestination(w, familyId, key(), destination);
            default -> throw new AssertionError(kind);
        }
    }

    /** {@code adding real server 'app1' 10.0.0.2:80}, {@code changing the service}, ... */
    String describe() {
        String rs = "";
        if (destination != null) {
            String label = owner == null ? null : owner.destLabels().get(destination.key());
            rs = "real server " + (label == null ? "" : "'" + label + "' ") + destination.key();
        }
        return switch (kind) {
            case DEL_SERVICE -> "deleting the service";
            case NEW_SERVICE -> "adding the service (scheduler " + service.scheduler() + ")";
            case SET_SERVICE -> "changing the service (scheduler " + service.scheduler() + ")";
            case DEL_DEST -> "deleting " + rs;
            case NEW_DEST -> "adding " + rs;
            case SET_DEST -> "changing " + rs;
        };
    }

    /** {@code virtual server 'web' (10.0.0.1:80/tcp)}, or {@code IPVS service 10.0.0.1:80/tcp} when not lbkit's. */
    String subject() {
        return owner != null && owner.description() != null ? owner.description() : "IPVS service " + key();
    }
}
