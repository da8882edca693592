package dev.lbkit.api;

/**
 * The state of one member of an HA pair for one group of floating IPs (a VRRP instance), as RFC 9568 and
 * keepalived name them.
 */
public enum HaState {
    /** Starting, stopped, or not yet decided. Owns no floating IP. */
    INIT,
    /** Another member is master; this one watches its adverts and owns no floating IP. */
    BACKUP,
    /** This member owns the floating IPs and answers for them. */
    MASTER,
    /** A tracked interface is down: this member cannot serve and owns no floating IP until it comes back. */
    FAULT
}
