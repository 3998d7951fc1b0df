package io.sqlcache.bench;

import io.lettuce.core.SetArgs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Redis round trip through Lettuce: {@code get}, a GET of a 20-byte value (the size of a
 * version), the unit of the targets "miss ≤ direct + 2 round trips" and "write ≤ direct + 1
 * round trip"; {@code mget3}, an MGET of three such values, what a point read's Redis hit asks
 * (its bucket's version, its table's "whole table" version, the global epoch) where the
 * hand-written cache-aside asks a GET of one key.
 * Run: {@code java -jar sqlcache-benchmarks.jar RoundTripBenchmark}.
 */
@State(Scope.Thread)
public class RoundTripBenchmark extends BaseBenchmark {

    @Param({"get", "mget3"})
    public String variant;

    private RawRedis raw;
    private String key;
    private String[] keys;

    @Setup(Level.Trial)
    public void setUp() {
        raw = new RawRedis();
        key = BenchEnv.uniquePrefix() + "v";
        keys = new String[] {key, key + "w", key + "g"};
        for (String k : keys) {
            raw.sync.set(k, "-1234567890123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    SetArgs.Builder.ex(3600));
        }
    }

    @Benchmark
    public Object redisGet() {
        return variant.equals("get") ? raw.sync.get(key) : raw.sync.mget(keys);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.sync.del(keys);
        raw.close();
    }
}
