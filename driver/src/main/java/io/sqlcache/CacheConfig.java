package io.sqlcache;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The cache's settings: the {@code sqlcache.*} URL parameters and properties. Immutable and
 * thread-safe; equal configurations share one cache runtime (store client, counters) per JVM.
 *
 * <p>Parsing is strict: an unknown {@code sqlcache.*} key or a bad value is an error that
 * names the key and the accepted values, so a typo never silently turns caching off or on.
 *
 * @param redis         the store URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}),
 *                      or {@code null} for the in-process store
 * @param ttlSeconds    how long an entry lives
 * @param maxRows       results with more rows are not cached
 * @param maxBytes      results larger than this (estimated) are not cached
 * @param enabled       false: a pure pass-through to the real driver
 * @param prefix        the prefix of every store key
 * @param timeoutMillis how long one store call may take before the query goes to the database
 * @param breakerMillis how long a failed store is skipped before it is tried again
 * @param localCopyBytes encoded bytes of decoded entries kept in this JVM per cache (hits reuse
 *                      them instead of decoding, and with Redis instead of fetching them); 0: none
 * @param spinMicros    how long a thread waiting for a read's Redis reply spins before it parks; 0: never
 * @param redisLanes    how many application threads get a blocking Redis connection of their own for
 *                      their lookups, writes' bumps and misses' entries (one Redis node, TCP or TLS;
 *                      the others share one Lettuce connection); 0: none
 */
public record CacheConfig(String redis, int ttlSeconds, int maxRows, long maxBytes, boolean enabled,
        String prefix, int timeoutMillis, int breakerMillis, long localCopyBytes, int spinMicros, int redisLanes) {

    public static final String PREFIX = "sqlcache.";
    public static final int DEFAULT_TTL_SECONDS = 300;
    public static final int DEFAULT_MAX_ROWS = 10_000;
    public static final long DEFAULT_MAX_BYTES = 1L << 20;
    public static final String DEFAULT_KEY_PREFIX = "sqlcache:";
    public static final int DEFAULT_TIMEOUT_MILLIS = 200;
    public static final int DEFAULT_BREAKER_MILLIS = 1_000;
    public static final long DEFAULT_LOCAL_COPY_BYTES = 16L << 20;
    public static final int DEFAULT_SPIN_MICROS = 100;
    public static final int DEFAULT_REDIS_LANES = 64;

    /** Every accepted key, with what a user may give it (for error messages and the README). */
    public static final Map<String, String> KEYS = keys();

    public CacheConfig {
        Objects.requireNonNull(prefix, "prefix");
    }

    private static Map<String, String> keys() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sqlcache.redis", "a redis://, rediss://, redis-sentinel:// or redis-cluster:// URI (absent: in-process store)");
        m.put("sqlcache.ttl", "seconds, 1 to 2592000");
        m.put("sqlcache.maxRows", "rows, 0 to 10000000");
        m.put("sqlcache.maxBytes", "bytes, 0 to 536870912");
        m.put("sqlcache.enabled", "true or false");
        m.put("sqlcache.prefix", "a non-empty key prefix without spaces");
        m.put("sqlcache.timeoutMs", "milliseconds, 1 to 60000");
        m.put("sqlcache.breakerMs", "milliseconds, 0 to 3600000");
        m.put("sqlcache.localCopyBytes", "bytes, 0 to 4294967296");
        m.put("sqlcache.spinMicros", "microseconds, 0 to 1000");
        m.put("sqlcache.redisLanes", "connections, 0 to 1024");
        return Map.copyOf(m);
    }

    /** The defaults, with {@code SQLCACHE_REDIS} and {@code SQLCACHE_TTL} taken from the environment. */
    public static CacheConfig defaults() {
        return parse(Map.of(), System::getenv);
    }

    /**
     * Parses the {@code sqlcache.*} entries of {@code settings} (other entries are ignored);
     * {@code env} supplies {@code SQLCACHE_REDIS} and {@code SQLCACHE_TTL} defaults.
     *
     * @throws IllegalArgumentException naming the key and the accepted values
     */
    public static CacheConfig parse(Map<String, String> settings, Function<String, String> env) {
        for (String key : settings.keySet()) {
            if (key.startsWith(PREFIX) && !KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known settings: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS.keySet())));
            }
        }
        String redis = value(settings, env, "sqlcache.redis", "SQLCACHE_REDIS");
        if (redis != null) {
            redis = redis.trim();
            if (redis.isEmpty()) {
                redis = null;
            } else {
                checkRedisUri(redis);
            }
        }
        int ttl = (int) number(settings, env, "sqlcache.ttl", "SQLCACHE_TTL", DEFAULT_TTL_SECONDS, 1, 2_592_000);
        int maxRows = (int) number(settings, null, "sqlcache.maxRows", null, DEFAULT_MAX_ROWS, 0, 10_000_000);
        long maxBytes = number(settings, null, "sqlcache.maxBytes", null, DEFAULT_MAX_BYTES, 0, 512L << 20);
        boolean enabled = bool(settings, "sqlcache.enabled", true);
        String prefix = settings.getOrDefault("sqlcache.prefix", DEFAULT_KEY_PREFIX);
        if (prefix.isEmpty() || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw bad("sqlcache.prefix", prefix);
        }
        int timeout = (int) number(settings, null, "sqlcache.timeoutMs", null, DEFAULT_TIMEOUT_MILLIS, 1, 60_000);
        int breaker = (int) number(settings, null, "sqlcache.breakerMs", null, DEFAULT_BREAKER_MILLIS, 0, 3_600_000);
        long localCopy = number(settings, null, "sqlcache.localCopyBytes", null, DEFAULT_LOCAL_COPY_BYTES, 0, 4L << 30);
        int spin = (int) number(settings, null, "sqlcache.spinMicros", null, DEFAULT_SPIN_MICROS, 0, 1000);
        int lanes = (int) number(settings, null, "sqlcache.redisLanes", null, DEFAULT_REDIS_LANES, 0, 1024);
        return new CacheConfig(redis, ttl, maxRows, maxBytes, enabled, prefix, timeout, breaker, localCopy, spin, lanes);
    }

    private static final Set<String> REDIS_SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel",
            "redis-cluster", "rediss-cluster");

    private static void checkRedisUri(String redis) {
        String scheme;
        try {
            scheme = URI.create(redis).getScheme();
        } catch (IllegalArgumentException e) {
            throw bad("sqlcache.redis", redis);
        }
        if (scheme == null || !REDIS_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
            throw bad("sqlcache.redis", redis);
        }
    }

    private static String value(Map<String, String> settings, Function<String, String> env, String key, String envName) {
        String v = settings.get(key);
        if (v == null && env != null && envName != null) {
            v = env.apply(envName);
        }
        return v;
    }

    private static long number(Map<String, String> settings, Function<String, String> env, String key, String envName,
            long fallback, long min, long max) {
        String v = value(settings, env, key, envName);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw bad(key, v);
        }
        if (n < min || n > max) {
            throw bad(key, v);
        }
        return n;
    }

    private static boolean bool(Map<String, String> settings, String key, boolean fallback) {
        String v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, v);
        };
    }

    private static IllegalArgumentException bad(String key, String value) {
        return new IllegalArgumentException("bad value '" + value + "' for setting '" + key + "': expected " + KEYS.get(key));
    }

    /** This configuration's store URI with any password masked, for logs and {@code toString}. */
    public String redisForDisplay() {
        return redis == null ? "in-process" : redis.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
    }

    @Override
    public String toString() {
        return "CacheConfig[store=" + redisForDisplay() + ", ttl=" + ttlSeconds + "s, maxRows=" + maxRows
                + ", maxBytes=" + maxBytes + ", enabled=" + enabled + ", prefix=" + prefix + ", timeoutMs="
                + timeoutMillis + ", breakerMs=" + breakerMillis + ", localCopyBytes=" + localCopyBytes + ", spinMicros=" + spinMicros
                + ", redisLanes=" + redisLanes + "]";
    }
}
