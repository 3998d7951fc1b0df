package io.sqlcache.store;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh random version values and their wire form (decimal ASCII). Thread-safe. */
final class Versions {

    private Versions() {
    }

    /**
     * The name every write-sequence key ends with ({@code io.sqlcache.invalidate.VersionKeys}):
     * a missing one is created from the clock, never at random, so that it never goes back.
     */
    static final String SEQUENCE_SUFFIX = "write-sequence";

    /** A fresh random settled version: even (an odd version means "a write is in flight"). */
    static long random() {
        return ThreadLocalRandom.current().nextLong() & ~1L;
    }

    /** A fresh random version of a key marked in flight: odd. */
    static long randomInFlight() {
        return ThreadLocalRandom.current().nextLong() | 1L;
    }

    /** Whether a version says that a write to its key is in flight. */
    static boolean inFlight(long version) {
        return (version & 1L) != 0;
    }

    /**
     * The value a missing key is created with: for a write sequence, the clock in microseconds
     * (scripts advance it to at least the server's clock, so a sequence lost with a restart of
     * the store comes back higher than every value it had); for a version, a fresh random one.
     */
    static long initial(String key) {
        if (key.endsWith(SEQUENCE_SUFFIX)) {
            return System.currentTimeMillis() * 1000L & ~1L;
        }
        return random();
    }

    /**
     * A fresh random settled version different from {@code old} ({@code null}: none), so that a
     * bump always changes the value even in the 2^-63 case.
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
        // Long.parseLong's rules, read off the bytes: every hit decodes its versions, and a
        // String per version was a copy and an object each for nothing
        int n = bytes.length;
        int i = 0;
        boolean negative = false;
        if (n > 0 && (bytes[0] == '-' || bytes[0] == '+')) {
            negative = bytes[0] == '-';
            i = 1;
        }
        if (i == n) {
            throw notDecimal(key);
        }
        // accumulated negatively, as Long.parseLong does: Long.MIN_VALUE has no positive twin
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multiplyMin = limit / 10;
        long result = 0;
        for (; i < n; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || result < multiplyMin) {
                throw notDecimal(key);
            }
            result *= 10;
            if (result < limit + digit) {
                throw notDecimal(key);
            }
            result -= digit;
        }
        return negative ? result : -result;
    }

    private static StoreException notDecimal(String key) {
        return new StoreException("version key " + key + " does not hold a decimal number");
    }
}
