/**
 * Linux netlink from Java: a {@link dev.lbkit.netlink.NetlinkSocket} (system calls through JNR-FFI, nothing
 * else native), {@link dev.lbkit.netlink.MessageWriter} and {@link dev.lbkit.netlink.Message} /
 * {@link dev.lbkit.netlink.Attributes} to build and parse messages in {@link java.nio.ByteBuffer}s, and
 * {@link dev.lbkit.netlink.GenericNetlink} to resolve generic-netlink families.
 *
 * <p>Layouts follow the kernel's UAPI headers {@code include/uapi/linux/netlink.h} (struct nlmsghdr, struct
 * nlattr, struct nlmsgerr, NLMSG_ALIGN/NLA_ALIGN to 4 bytes) and {@code include/uapi/linux/genetlink.h}
 * (struct genlmsghdr, the controller family). Netlink headers and most attributes are in host byte order; the
 * writer and parser use {@link java.nio.ByteOrder#nativeOrder()}, and big-endian values (ports, IPv4 netmasks)
 * have their own {@code Be} methods.
 *
 * <p>Linux only. Every type here that holds a socket is {@link java.lang.AutoCloseable} and confined to one
 * thread at a time; values (messages, attributes) are immutable views.
 */
package dev.lbkit.netlink;
