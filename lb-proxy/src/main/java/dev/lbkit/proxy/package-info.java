/**
 * The NIO dataplane: {@link dev.lbkit.proxy.ProxyDataplane}, a Layer 4 TCP full proxy for
 * {@link dev.lbkit.api.ForwardingMethod#PROXY}, with its per-VIP {@link dev.lbkit.proxy.ProxyOptions}. The engine
 * underneath (I/O loops, buffer pool, listeners, the relay) is package-private; a Layer 7 HTTP pipeline will
 * plug into the same loops through their key handlers. The PROXY protocol codec is in
 * {@link dev.lbkit.proxy.proxyprotocol}. Guide: {@code docs/tcp-proxy.md}.
 */
package dev.lbkit.proxy;
