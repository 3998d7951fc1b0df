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
    private final RawRedis raw = new RawRedis();

    ScaleFixture(int entries) throws Exception {
        BenchData.ensure();
        conn = BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix
                + "&sqlcache.ttl=3600");
        point = conn.prepareStatement(Shape.POINT.sql);
        int real = Math.min(entries, Shape.KEYS);
        for (int k = 0; k < real; k++) {
            Shape.POINT.bind(point, k, 0);
            try (ResultSet rs = point.executeQuery()) {
                Shape.POINT.read(rs);
            }
        }
        List<String> stored = BenchEnv.landedEntries(raw, prefix, real);
        if (stored.size() != real) {
            throw new IllegalStateException("expected " + real + " entries, found " + stored.size());
        }
        raw.fill(prefix + "q:copy", entries - real, raw.sync.get(stored.get(0)), 3600);
    }

    @Override
    public void close() throws Exception {
        point.close();
        conn.close();
        raw.deleteAll(prefix);
        raw.close();
    }
}
