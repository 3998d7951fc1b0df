package io.sqlcache.bench;

import java.sql.ResultSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A Redis hit of the point read with 1k and with 1M entries in Redis: target within 10 %.
 * Run: {@code java -jar sqlcache-benchmarks.jar HitScaleBenchmark}.
 */
@State(Scope.Thread)
public class HitScaleBenchmark extends BaseBenchmark {

    @Param({"1000", "1000000"})
    public int entries;

    private ScaleFixture fixture;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = new ScaleFixture(entries);
    }

    @Benchmark
    public long hit() throws Exception {
        Shape.POINT.bind(fixture.point, i++ & (Shape.KEYS - 1), 0);
        try (ResultSet rs = fixture.point.executeQuery()) {
            return Shape.POINT.read(rs);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        fixture.close();
    }
}
