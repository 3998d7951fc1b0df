package io.sqlcache.store;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh random version values and their wire form (decimal ASCII). Thread-safe. */
final class Versions {

    private Versions() {
    }

    /** A fresh random version. */
    static long random() {
        return ThreadLocalRandom.current().nextLong();
    }

    /**
     * A fresh random version different from {@code old} ({@code null}: none), so that a bump
     * always changes the value even in the 2^-64 case.
     */
    static long randomOtherThan(Long old) {
        long v;
        do {
            v = random();
        } while (old != null && v == old);
        return v;
    }

    static byte[] encode(long version) {
        return Long.toString(version).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a stored version.
     *
     * @throws StoreException when the bytes are not a decimal long (a foreign or corrupt value)
     */
    static long decode(String key, byte[] bytes) throws StoreException {
        try {
            return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new StoreException("version key " + key + " does not hold a decimal number");
        }
    }
}
