package io.sqlcache.bench;

import java.sql.PreparedStatement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An UPDATE through the driver of a table with 10 and with 100k cached entries in Redis:
 * invalidation is one version bump, whatever the number of entries. Target: the same cost.
 * Run: {@code java -jar sqlcache-benchmarks.jar InvalidationScaleBenchmark}.
 */
@State(Scope.Thread)
public class InvalidationScaleBenchmark extends BaseBenchmark {

    @Param({"10", "100000"})
    public int entries;

    private ScaleFixture fixture;
    private PreparedStatement update;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = new ScaleFixture(entries);
        update = fixture.conn.prepareStatement(WriteBenchmark.UPDATE);
    }

    @Benchmark
    public int invalidate() throws Exception {
        update.setInt(1, 1 + (i++ * 7919) % BenchData.USERS);
        return update.executeUpdate();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        update.close();
        fixture.close();
    }
}
