package io.sqlcache.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * A driver connection with Redis under a fresh prefix, holding {@code entries} cached entries:
 * up to {@link Shape#KEYS} real point-read entries stored by the driver, and copies of one of them's
 * bytes under further entry keys (filling a million entries through a million queries would
 * take longer than the benchmark; Redis' cost of a key does not depend on how it got there, and
 * invalidation never touches entries at all, which is the point being measured).
 */
final class ScaleFixture implements AutoCloseable {

    final String prefix = BenchEnv.uniquePrefix();
    final Connection conn;
    final PreparedStatement point;
    /** The keys of the real entries, as stored by the driver. */
    final List<String> entryKeys;
    final RawRedis raw;

    /** In the benchmarks' Redis database. */
    ScaleFixture(int entries) throws Exception {
        this(entries, BenchEnv.REDIS_URL);
    }

    /** In Redis database {@code database}: two fixtures of one process each have a keyspace of their own. */
    ScaleFixture(int entries, int database) throws Exception {
        this(entries, BenchEnv.redisUrl(database));
    }

    private ScaleFixture(int entries, String redisUrl) throws Exception {
        BenchData.ensure();
        raw = new RawRedis(redisUrl);
        conn = BenchEnv.sqlcache("sqlcache.redis=" + redisUrl + "&sqlcache.prefix=" + prefix
                + "&sqlcache.ttl=3600");
        point = conn.prepareStatement(Shape.POINT.sql);
        int real = Math.min(entries, Shape.KEYS);
        for (int k = 0; k < real; k++) {
            Shape.POINT.bind(point, k, 0);
            try (ResultSet rs = point.executeQuery()) {
                Shape.POINT.read(rs);
            }
        }
        entryKeys = BenchEnv.landedEntries(raw, prefix, real);
        if (entryKeys.size() != real) {
            throw new IllegalStateException("expected " + real + " entries, found " + entryKeys.size());
        }
        raw.fill(prefix + "q:copy", entries - real, raw.sync.get(entryKeys.get(0)), 3600);
    }

    @Override
    public void close() throws Exception {
        point.close();
        conn.close();
        raw.deleteAll(prefix);
        raw.close();
    }
}
