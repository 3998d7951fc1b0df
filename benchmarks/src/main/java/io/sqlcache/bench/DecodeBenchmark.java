package io.sqlcache.bench;

import io.sqlcache.codec.CacheEntry;
import io.sqlcache.codec.EntryCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The decoding half of the floor alone: {@link EntryCodec#decode} of the bytes of a real entry
 * of each shape, no Redis. Floor − decode = what the Redis GET itself costs.
 * Run: {@code java -jar sqlcache-benchmarks.jar DecodeBenchmark}.
 */
@State(Scope.Thread)
public class DecodeBenchmark extends BaseBenchmark {

    @Param({"POINT", "RANGE", "JOIN"})
    public String shape;

    private final EntryCodec codec = new EntryCodec();
    private byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchData.ensure();
        Shape s = Shape.valueOf(shape);
        String prefix = BenchEnv.uniquePrefix();
        try (Connection c = BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix);
             PreparedStatement ps = c.prepareStatement(s.sql);
             RawRedis raw = new RawRedis()) {
            s.bind(ps, 0, 0);
            try (ResultSet rs = ps.executeQuery()) {
                s.read(rs);
            }
            List<String> keys = BenchEnv.landedEntries(raw, prefix, 1);
            bytes = raw.sync.get(keys.get(0));
            raw.deleteAll(prefix);
        }
    }

    @Benchmark
    public CacheEntry decode() throws Exception {
        return codec.decode(bytes);
    }
}
