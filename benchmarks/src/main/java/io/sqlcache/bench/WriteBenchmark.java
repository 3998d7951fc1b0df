package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * one no read shape reads. Run: {@code java -jar sqlcache-benchmarks.jar WriteBenchmark}.
 */
@State(Scope.Thread)
public class WriteBenchmark extends BaseBenchmark {

    static final String UPDATE = "UPDATE bench_users SET visits = visits + 1 WHERE id = ?";

    @Param({"direct", "sqlcache-write"})
    public String variant;

    private String prefix;
    private Connection conn;
    private PreparedStatement ps;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchData.ensure();
        prefix = BenchEnv.uniquePrefix();
        conn = variant.equals("direct") ? BenchEnv.direct()
                : BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix);
        ps = conn.prepareStatement(UPDATE);
        update();
        if (!variant.equals("direct") && !"write".equals(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
            throw new IllegalStateException("the UPDATE did not go through the write path");
        }
    }

    @Benchmark
    public int update() throws Exception {
        ps.setInt(1, 1 + (i++ * 7919) % BenchData.USERS);
        return ps.executeUpdate();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ps.close();
        conn.close();
        try (RawRedis cleanup = new RawRedis()) {
            cleanup.deleteAll(prefix);
        }
    }
}
