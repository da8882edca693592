/**
 * The PROXY protocol, versions 1 (text) and 2 (binary), as specified in "The PROXY protocol, Versions 1 &amp; 2"
 * by Willy Tarreau, HAProxy Technologies, revision 2020/03/05 (haproxy {@code doc/proxy-protocol.txt}).
 *
 * <p>One room with one purpose: turn a header into bytes and bytes into a header, without sockets.
 * <ul>
 *   <li>{@link dev.lbkit.proxy.proxyprotocol.ProxyHeader}: the header as an immutable value, with its
 *       {@link dev.lbkit.proxy.proxyprotocol.Tlv}s;</li>
 *   <li>{@link dev.lbkit.proxy.proxyprotocol.ProxyProtocolEncoder}: header to bytes, for the proxy that sends
 *       one to a real server;</li>
 *   <li>{@link dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder}: bytes to header, incremental, for a listener
 *       behind another proxy or load balancer; its Javadoc tabulates the limits;</li>
 *   <li>{@link dev.lbkit.proxy.proxyprotocol.ProxyProtocolException}: malformed input, with a
 *       {@link dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason};</li>
 *   <li>{@link dev.lbkit.proxy.proxyprotocol.TrustedSources}: the networks a listener accepts headers from.</li>
 * </ul>
 *
 * <p>Security stance (spec section 5): a listener either requires the header or never reads one; it never
 * guesses. It accepts headers only from {@code TrustedSources}, and aborts the connection on any malformed header.
 * Nothing in this package resolves a host name.
 *
 * <p>Nullness: parameters are non-null unless documented otherwise; the few nullable results (addresses of a
 * header without them) say so.
 */
package dev.lbkit.proxy.proxyprotocol;
