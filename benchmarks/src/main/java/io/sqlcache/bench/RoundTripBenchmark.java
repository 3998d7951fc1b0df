package io.sqlcache.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Redis round trip through Lettuce: a GET of a 20-byte value (the size of a version). The
 * unit of the targets "miss ≤ direct + 2 round trips" and "write ≤ direct + 1 round trip".
 * Run: {@code java -jar sqlcache-benchmarks.jar RoundTripBenchmark}.
 */
@State(Scope.Thread)
public class RoundTripBenchmark extends BaseBenchmark {

    private RawRedis raw;
    private String key;

    @Setup(Level.Trial)
    public void setUp() {
        raw = new RawRedis();
        key = BenchEnv.uniquePrefix() + "v";
        raw.sync.setex(key, 3600, "-1234567890123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Benchmark
    public byte[] redisGet() {
        return raw.sync.get(key);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.sync.del(key);
        raw.close();
    }
}
