package dev.lbkit.api;

/**
 * How a drain ended.
 *
 * @param virtualServer        the virtual-server label
 * @param realServer           the real-server label
 * @param drained              true when active connections reached 0 before the deadline
 * @param remainingConnections active connections when it ended (0 when drained)
 * @param action               the action that was then carried out
 */
public record DrainResult(String virtualServer, String realServer, boolean drained, long remainingConnections,
        DrainAction action) {}
