package dev.lbkit.ha;

import dev.lbkit.api.HaState;
import java.net.InetAddress;

/**
 * The VRRPv3 state machine of RFC 9568 section 6.4 for one instance, on a clock the caller passes in (nanoseconds
 * of a monotonic clock), with no I/O: what it decides comes out through {@link Actions}. The caller calls
 * {@link #onTimer} when {@link #deadline()} has passed, and the event methods as things happen.
 *
 * <p>Beyond the RFC, as keepalived does: a master that hears a lower-priority advert (another master: split
 * brain) counts it and answers at once with its own advert so the other side yields within one packet; FAULT
 * while the interface (or a weight-0 tracked interface) is down; a preempt delay after start.
 *
 * <p>Not thread-safe: one event loop owns it.
 */
final class VrrpStateMachine {

    /** What the state machine asks its owner to do. Called synchronously, in order. */
    interface Actions {
        /** Send an advert with this priority now. */
        void sendAdvert(int priority);

        /** Add the floating IPs and announce them (gratuitous ARP). */
        void takeAddresses();

        /** Remove the floating IPs. */
        void releaseAddresses();

        /** The state changed (after the addresses were taken or released). */
        void stateChanged(HaState from, HaState to, String reason);
    }

    static final long NEVER = Long.MAX_VALUE;

    private final Actions actions;
    private int basePriority;
    private int reduction;
    private int advertCentis;
    private boolean preempt;
    private long preemptDelayNanos;
    private InetAddress localAddress;

    private HaState state = HaState.INIT;
    private boolean fault;
    private long deadline = NEVER;
    private int masterAdvertCentis;
    private long startedAt;
    private InetAddress masterAddress;

    long advertsSent;
    long advertsReceived;
    long becameMaster;
    long splitBrains;
    long priorityZeroSent;
    long priorityZeroReceived;

    VrrpStateMachine(Actions actions, int priority, int advertCentis, boolean preempt, long preemptDelayNanos,
            InetAddress localAddress) {
        this.actions = actions;
        this.basePriority = priority;
        this.advertCentis = advertCentis;
        this.masterAdvertCentis = advertCentis;
        this.preempt = preempt;
        this.preemptDelayNanos = preemptDelayNanos;
        this.localAddress = localAddress;
    }

    HaState state() {
        return state;
    }

    long deadline() {
        return deadline;
    }

    InetAddress masterAddress() {
        return state == HaState.MASTER ? localAddress : masterAddress;
    }

    /** The priority adverts carry: the base less tracked reductions, kept in 1..254 unless the owner is whole. */
    int effectivePriority() {
        if (reduction == 0) {
            return basePriority;
        }
        return Math.max(1, Math.min(254, basePriority - reduction));
    }

    static long centisToNanos(long centis) {
        return centis * 10_000_000L;
    }

    /** Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256. */
    long skewNanos() {
        return (256 - effectivePriority()) * centisToNanos(masterAdvertCentis) / 256;
    }

    /** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
    long masterDownNanos() {
        return 3 * centisToNanos(masterAdvertCentis) + skewNanos();
    }

    /** Startup event (section 6.4.1): the owner becomes master at once, everyone else backup. */
    void start(long now, boolean interfaceUsable) {
        startedAt = now;
        fault = !interfaceUsable;
        if (fault) {
            transition(HaState.FAULT, "interface down at start");
            deadline = NEVER;
            return;
        }
        enterInitial(now, "startup");
    }

    private void enterInitial(long now, String reason) {
        masterAddress = null;
        if (effectivePriority() == 255) {
            becomeMaster(now, reason + ": address owner (priority 255)");
        } else {
            masterAdvertCentis = advertCentis;
            deadline = now + masterDownNanos();
            transition(HaState.BACKUP, reason);
        }
    }

    /** Shutdown event: a master sends priority 0 so that the backup takes over after only its skew time. */
    void shutdown(long now) {
        if (state == HaState.MASTER) {
            send(0);
            priorityZeroSent++;
            actions.releaseAddresses();
        }
        deadline = NEVER;
        transition(HaState.INIT, "shutdown");
    }

    /** The timer has expired (now >= deadline). */
    void onTimer(long now) {
        if (now < deadline) {
            return;
        }
        switch (state) {
            case MASTER -> {
                send(effectivePriority());
                deadline = now + centisToNanos(advertCentis);
            }
            case BACKUP -> becomeMaster(now, "master down timer expired");
            default -> deadline = NEVER;
        }
    }

    /** A valid advert for this instance arrived from {@code source} (not from this router). */
    void onAdvert(long now, int priority, int maxAdvertCentis, InetAddress source) {
        advertsReceived++;
        switch (state) {
            case BACKUP -> {
                if (priority == 0) {
                    priorityZeroReceived++;
                    deadline = now + skewNanos();
                    return;
                }
                boolean preempting = preempt && now - startedAt >= preemptDelayNanos;
                if (!preempting || priority >= effectivePriority()) {
                    masterAdvertCentis = maxAdvertCentis;
                    masterAddress = source;
                    deadline = now + masterDownNanos();
                }
                // else: a lower-priority master and preemption on: discard; the master-down timer takes over
            }
            case MASTER -> {
                if (priority == 0) {
                    priorityZeroReceived++;
                    send(effectivePriority());
                    deadline = now + centisToNanos(advertCentis);
                    return;
                }
                splitBrains++;
                int mine = effectivePriority();
                if (priority > mine || (priority == mine && compareUnsigned(source, localAddress) > 0)) {
                    masterAdvertCentis = maxAdvertCentis;
                    masterAddress = source;
                    deadline = now + masterDownNanos();
                    actions.releaseAddresses();
                    transition(HaState.BACKUP, "higher-priority advert from " + source.getHostAddress()
                            + " (priority " + priority + ")");
                } else {
                    // Two masters: this one wins; tell the other at once rather than at the next advert.
                    send(mine);
                    deadline = now + centisToNanos(advertCentis);
                }
            }
            default -> {
                // INIT or FAULT: adverts are ignored
            }
        }
    }

    /** The interface (or a weight-0 tracked interface) went down or came back. */
    void setFault(long now, boolean down, String reason) {
        if (down == fault) {
            return;
        }
        fault = down;
        if (down) {
            if (state == HaState.MASTER) {
                actions.releaseAddresses();
            }
            deadline = NEVER;
            transition(HaState.FAULT, reason);
        } else if (state == HaState.FAULT) {
            enterInitial(now, reason);
        }
    }

    boolean inFault() {
        return fault;
    }

    /**
     * Changes the base priority and the total reduction from tracking; a master's next advert carries the new
     * priority at once (so a preempting backup sees it without waiting an interval).
     */
    void setPriority(long now, int base, int totalReduction) {
        int before = effectivePriority();
        basePriority = base;
        reduction = totalReduction;
        if (effectivePriority() != before && state == HaState.MASTER) {
            send(effectivePriority());
            deadline = now + centisToNanos(advertCentis);
        }
    }

    /** New timers and preemption from a re-applied configuration; takes effect without a transition. */
    void reconfigure(int newAdvertCentis, boolean newPreempt, long newPreemptDelayNanos, InetAddress newLocal) {
        advertCentis = newAdvertCentis;
        preempt = newPreempt;
        preemptDelayNanos = newPreemptDelayNanos;
        localAddress = newLocal;
    }

    /** Sync group: a member went master, so this one follows at once. */
    void forceMaster(long now, String reason) {
        if (state == HaState.BACKUP) {
            becomeMaster(now, reason);
        }
    }

    /** Sync group: a member left master, so this one follows. */
    void forceBackup(long now, String reason) {
        if (state == HaState.MASTER) {
            actions.releaseAddresses();
            masterAdvertCentis = advertCentis;
            deadline = now + masterDownNanos();
            transition(HaState.BACKUP, reason);
        }
    }

    private void becomeMaster(long now, String reason) {
        // Floating IPs and gratuitous ARPs first: the clients' outage ends with the ARP, the peer needs the advert
        // only to stay backup (it is one packet later, microseconds).
        actions.takeAddresses();
        send(effectivePriority());
        becameMaster++;
        masterAddress = null;
        deadline = now + centisToNanos(advertCentis);
        transition(HaState.MASTER, reason);
    }

    private void send(int priority) {
        advertsSent++;
        actions.sendAdvert(priority);
    }

    private void transition(HaState to, String reason) {
        HaState from = state;
        state = to;
        if (from != to) {
            actions.stateChanged(from, to, reason);
        }
    }

    /** Compares two addresses as unsigned big-endian numbers (the primary-address tie-break). */
    static int compareUnsigned(InetAddress a, InetAddress b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        for (int i = 0; i < x.length; i++) {
            int c = Integer.compare(x[i] & 0xff, y[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
