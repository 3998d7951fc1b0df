package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One autocommit UPDATE of one user row, direct and through the driver with Redis (which then
 * bumps the table's version before returning: the cost of invalidation). The column written is
 * one no read shape reads. {@code direct-then-mset} is the floor of a write that invalidates:
 * the same UPDATE direct, then a raw Lettuce MSET of as many keys as the driver's bump (the
 * table's version and the row's bucket), measured in sequence, so that what the two cost
 * together on this machine (each delays the other's server on two cores) is measured rather
 * than added up from separate runs. Run: {@code java -jar sqlcache-benchmarks.jar WriteBenchmark}.
 */
@State(Scope.Thread)
public class WriteBenchmark extends BaseBenchmark {

    static final String UPDATE = "UPDATE bench_users SET visits = visits + 1 WHERE id = ?";

    @Param({"direct", "direct-then-mset", "sqlcache-write"})
    public String variant;

    private String prefix;
    private Connection conn;
    private PreparedStatement ps;
    private RawRedis raw;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchData.ensure();
        prefix = BenchEnv.uniquePrefix();
        conn = variant.startsWith("direct") ? BenchEnv.direct()
                : BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix);
        ps = conn.prepareStatement(UPDATE);
        if (variant.equals("direct-then-mset")) {
            raw = new RawRedis();
        }
        update();
        if (variant.equals("sqlcache-write") && !"write".equals(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
            throw new IllegalStateException("the UPDATE did not go through the write path");
        }
    }

    @Benchmark
    public int update() throws Exception {
        int id = 1 + (i++ * 7919) % BenchData.USERS;
        ps.setInt(1, id);
        int n = ps.executeUpdate();
        if (raw != null) {
            // the keys and values the driver's bump sets: a random version per key
            raw.sync.mset(Map.of(prefix + "v:test.bench_users", version(),
                    prefix + "b:test.bench_users:" + id / 1024, version()));
        }
        return n;
    }

    private static byte[] version() {
        return Long.toString(ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ps.close();
        conn.close();
        if (raw != null) {
            raw.close();
        }
        try (RawRedis cleanup = new RawRedis()) {
            cleanup.deleteAll(prefix);
        }
    }
}
