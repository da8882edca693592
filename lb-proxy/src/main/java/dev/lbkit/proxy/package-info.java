/**
 * The NIO dataplane: a Layer 4 TCP proxy ({@code PROXY}) and a Layer 7 HTTP/1.1 proxy ({@code HTTP}). Not yet
 * implemented; this module is reserved so that the build layout is final.
 */
package dev.lbkit.proxy;
