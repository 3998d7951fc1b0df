package io.sqlcache.codec;

import java.util.List;

/**
 * A cache entry of the proxy: the result of one command as the packet payloads the server sent
 * (column count, column definitions, EOF/OK, rows, final EOF/OK), without their 4-byte headers,
 * so a hit can be replayed byte for byte with fresh sequence ids. Immutable apart from the
 * arrays, which nobody modifies once built.
 *
 * @param keyMaterial the bytes the key hash was computed from (compared on a hit)
 * @param versions    the versions of the read tables (and epoch) read before the query ran
 * @param packets     the payloads, in order; never null, no null element
 */
public record RawEntry(byte[] keyMaterial, long[] versions, List<byte[]> packets) {

    public RawEntry {
        packets = List.copyOf(packets);
    }
}
