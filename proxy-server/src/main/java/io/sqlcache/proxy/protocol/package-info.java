/**
 * The MySQL client/server protocol as far as a relay needs it: framing (only in
 * {@link io.sqlcache.proxy.protocol.PacketCodec}), one small immutable class per packet the
 * proxy reads or writes, and {@link io.sqlcache.proxy.protocol.ResponseTracker}, which finds
 * where a server's answer to a command ends. No Netty type leaves {@code PacketCodec}.
 */
package io.sqlcache.proxy.protocol;
