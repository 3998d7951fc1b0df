package io.sqlcache.bench;

import io.lettuce.core.SetArgs;
import io.sqlcache.SqlCacheStatement;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * One read of one shape, by each variant, in one JMH run:
 * <ul>
 *   <li>{@code direct}: mysql-connector-j alone;</li>
 *   <li>{@code handwritten}: {@link Handwritten}, every read a Redis hit;</li>
 *   <li>{@code sqlcache-redis-hit}, {@code sqlcache-local-hit}: the driver with Redis or the
 *       in-process store, every read a hit (the keys are stored in setup). With Redis the driver
 *       holds a decoded copy of each entry it stored or read, so a hit fetches only the versions;</li>
 *   <li>{@code sqlcache-redis-hit-cold}: the same with {@code sqlcache.localCopyBytes=0}, so every
 *       hit fetches and decodes the entry, as the first hit of an entry another process stored;</li>
 *   <li>{@code sqlcache-redis-hit-park}: the hit with {@code sqlcache.spinMicros=0}: the caller
 *       parks for its reply at once, as Lettuce's own sync calls do, instead of spinning first;</li>
 *   <li>{@code sqlcache-miss}: the driver with Redis, every read a new key (the salt counts up),
 *       so each one looks up, queries and stores;</li>
 *   <li>{@code handwritten-miss}: {@link Handwritten} on a key never stored, every read: its GET,
 *       the query and its SETEX, in sequence. The same round trips as the bound of the miss
 *       target (direct + 2 round trips), measured where they happen, after a query rather than
 *       alone;</li>
 *   <li>{@code floor}: a raw Lettuce GET of the bytes of an entry the driver stored, decoded with
 *       the driver's {@link EntryCodec} and every cell touched: the least a Redis hit can cost.</li>
 * </ul>
 * Not in the JMH run, for {@link CpuSplit}: {@code redis-get} (a GET of a 20-byte value, the
 * round trip of {@link RoundTripBenchmark}), {@code direct-2rt} (the direct read with a Redis
 * round trip before it and one after it, each an MSET of two small keys over a bare socket
 * ({@link SocketMset}): the bound of the miss target, "direct + 2 round trips", measured where
 * those round trips happen, after a statement, rather than back to back),
 * {@code sqlcache-miss-nocopy} (a miss without
 * local copies), {@code direct-salted} (the direct read with the misses' counting salt, so each
 * statement's text is new, as a miss's is) and the {@code -lettuce} variants of the hit and the
 * miss ({@code sqlcache.redisLanes=0}).
 * Run: {@code java -jar benchmarks/target/sqlcache-benchmarks.jar ReadBenchmark -prof gc}.
 */
@State(Scope.Thread)
public class ReadBenchmark extends BaseBenchmark {

    @Param({"direct", "handwritten", "sqlcache-redis-hit", "sqlcache-redis-hit-park", "sqlcache-redis-hit-cold",
            "sqlcache-local-hit", "sqlcache-miss", "handwritten-miss", "floor"})
    public String variant;

    @Param({"POINT", "RANGE", "JOIN"})
    public String shape;

    private Shape s;
    private String prefix;
    private Connection conn;
    private PreparedStatement ps;
    private Handwritten handwritten;
    private RawRedis raw;
    private final EntryCodec codec = new EntryCodec();
    private List<String> entryKeys;
    private String roundTripKey;
    private int i;
    private long salt;
    private SocketMset socket;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchData.ensure();
        s = Shape.valueOf(shape);
        prefix = BenchEnv.uniquePrefix();
        switch (variant) {
            case "direct", "direct-salted" -> conn = BenchEnv.direct();
            case "direct-2rt" -> {
                conn = BenchEnv.direct();
                socket = new SocketMset(prefix + "a", prefix + "b", "-1234567890123456789".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII));
            }
            case "handwritten", "handwritten-miss" -> {
                conn = BenchEnv.direct();
                handwritten = new Handwritten(s, conn, prefix);
            }
            case "sqlcache-redis-hit", "sqlcache-redis-hit-park", "sqlcache-redis-hit-cold", "sqlcache-miss",
                 "sqlcache-miss-nocopy", "sqlcache-redis-hit-lettuce", "sqlcache-miss-lettuce", "floor", "redis-get" ->
                    conn = BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix
                            + (variant.startsWith("sqlcache-miss") ? "&sqlcache.ttl=120" : "")
                            + (variant.endsWith("-park") ? "&sqlcache.spinMicros=0" : "")
                            + (variant.endsWith("-lettuce") ? "&sqlcache.redisLanes=0" : "")
                            + (variant.endsWith("-cold") || variant.endsWith("-nocopy") ? "&sqlcache.localCopyBytes=0" : ""));
            case "sqlcache-local-hit" -> conn = BenchEnv.sqlcache("sqlcache.prefix=" + prefix);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        ps = conn.prepareStatement(s.sql);
        salt = variant.startsWith("sqlcache-miss") || variant.equals("handwritten-miss")
                || variant.equals("direct-salted") ? 1 : 0;
        // store every key once, and check that what the benchmark measures is what it claims
        for (int k = 0; k < Shape.KEYS; k++) {
            if (handwritten != null) {
                handwritten.read(k);
            } else {
                s.bind(ps, k, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    s.read(rs);
                }
            }
        }
        if (variant.startsWith("sqlcache-")) {
            s.bind(ps, 0, salt == 0 ? 0 : -1);
            try (ResultSet rs = ps.executeQuery()) {
                s.read(rs);
            }
            String outcome = ps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
            String expected = variant.startsWith("sqlcache-miss") ? "miss" : "hit";
            if (!expected.equals(outcome)) {
                throw new IllegalStateException(variant + " " + shape + ": expected " + expected + ", got " + outcome);
            }
        }
        if (variant.equals("floor") || variant.equals("redis-get")) {
            raw = new RawRedis();
            roundTripKey = prefix + "rt";
            raw.sync.set(roundTripKey, "-1234567890123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    SetArgs.Builder.ex(3600));
            entryKeys = BenchEnv.landedEntries(raw, prefix, Shape.KEYS);
            if (entryKeys.size() != Shape.KEYS) {
                throw new IllegalStateException("floor: expected " + Shape.KEYS + " entries, found " + entryKeys.size());
            }
        }
    }

    @Benchmark
    public long read() throws Exception {
        int k = i++ & (Shape.KEYS - 1);
        switch (variant) {
            case "handwritten" -> {
                return handwritten.read(k);
            }
            case "handwritten-miss" -> {
                return handwritten.readMiss(k, salt++);
            }
            case "floor" -> {
                return floor(raw.sync.get(entryKeys.get(k)));
            }
            case "redis-get" -> {
                return raw.sync.get(roundTripKey).length;
            }
            case "direct-2rt" -> {
                // the bound of the miss target where its round trips happen: one before the
                // query (a miss's lookup) and one after it (its store), on a bare socket
                socket.mset();
                s.bind(ps, k, 0);
                long sum;
                try (ResultSet rs = ps.executeQuery()) {
                    sum = s.read(rs);
                }
                socket.mset();
                return sum;
            }
            default -> {
                s.bind(ps, k, salt > 0 ? salt++ : 0);
                try (ResultSet rs = ps.executeQuery()) {
                    return s.read(rs);
                }
            }
        }
    }

    private long floor(byte[] bytes) throws Exception {
        CacheEntry e = codec.decode(bytes);
        long sum = e.versions().length;
        for (Object[] row : e.rows().values()) {
            for (Object cell : row) {
                sum += cell == null ? 0 : cell.hashCode();
            }
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (variant.startsWith("sqlcache-miss") || variant.startsWith("sqlcache-redis-hit") || variant.equals("floor")
                || variant.equals("redis-get") || variant.startsWith("handwritten") || variant.equals("direct-2rt")) {
            try (RawRedis cleanup = new RawRedis()) {
                cleanup.deleteAll(prefix);
            }
        }
        if (handwritten != null) {
            handwritten.close();
        }
        if (raw != null) {
            raw.close();
        }
        if (socket != null) {
            socket.close();
        }
        ps.close();
        conn.close();
    }
}
