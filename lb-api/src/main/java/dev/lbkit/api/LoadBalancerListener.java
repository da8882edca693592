package dev.lbkit.api;

/**
 * Receives {@link LoadBalancerEvent}s.
 *
 * <p>Rules: events are delivered on the thread that caused them (the caller of {@code apply}, the health
 * checker's thread, the drain monitor), after the load balancer's lock is released and in the order they
 * happened for that thread. A listener must be fast and must not block; it may call back into the load
 * balancer. An exception thrown by a listener is logged and ignored; it never undoes the change.
 */
@FunctionalInterface
public interface LoadBalancerListener {
    void onEvent(LoadBalancerEvent event);
}
