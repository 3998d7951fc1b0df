package io.sqlcache.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain Lettuce connection (string keys, byte values) for what the benchmarks do beside the
 * driver: the floor's GET, finding the entries the driver stored, filling and deleting keys.
 * Not thread-safe beyond Lettuce's own guarantees.
 */
final class RawRedis implements AutoCloseable {

    /** Keys per {@link #fill} script call: Redis runs nothing else meanwhile, ~20 ms a call. */
    static final int FILL_BATCH = 50_000;

    /** Sets ARGV[1] .. i for i in [ARGV[4], ARGV[5]) to ARGV[2] with EX ARGV[3]; answers how many. */
    private static final String FILL_SCRIPT = """
            local n = 0
            for i = tonumber(ARGV[4]), tonumber(ARGV[5]) - 1 do
                redis.call('SET', ARGV[1] .. i, ARGV[2], 'EX', ARGV[3])
                n = n + 1
            end
            return n
            """;

    /** One SCAN page from cursor ARGV[1] of keys matching ARGV[2], unlinked; answers the next cursor. */
    private static final String DELETE_SCRIPT = """
            local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 10000)
            local keys = page[2]
            for i = 1, #keys, 1000 do
                redis.call('UNLINK', unpack(keys, i, math.min(#keys, i + 999)))
            end
            return page[1]
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    final RedisCommands<String, byte[]> sync;

    /** To the benchmarks' Redis ({@link BenchEnv#REDIS_URL}). */
    RawRedis() {
        this(BenchEnv.REDIS_URL);
    }

    /** To the Redis (and database) of {@code url}. */
    RawRedis(String url) {
        client = RedisClient.create(url);
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        sync = connection.sync();
    }

    /** Every key matching {@code pattern} (SCAN, never KEYS). */
    List<String> keys(String pattern) {
        List<String> out = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
        do {
            KeyScanCursor<String> page = sync.scan(cursor, args);
            out.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    /**
     * Writes {@code count} keys {@code prefix + i} holding {@code value}, with a TTL, by a Lua
     * script in Redis, {@link #FILL_BATCH} keys a call. Not from this JVM: a million pipelined
     * SETs from the benchmark's own JVM left it with their garbage to collect and its code
     * compiled after them, so HitScaleBenchmark's 1M trial paid for its set-up (10 GCs and
     * 441 ms of pauses against 2 and 12 ms with 1k). Standalone Redis only, as the benchmarks use.
     */
    void fill(String prefix, int count, byte[] value, int ttlSeconds) {
        for (int from = 0; from < count; from += FILL_BATCH) {
            int to = Math.min(count, from + FILL_BATCH);
            Long made = sync.eval(FILL_SCRIPT, ScriptOutputType.INTEGER, new String[0],
                    utf8(prefix), value, utf8(Integer.toString(ttlSeconds)),
                    utf8(Integer.toString(from)), utf8(Integer.toString(to)));
            if (made == null || made != to - from) {
                throw new IllegalStateException("fill wrote " + made + " keys, expected " + (to - from));
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Deletes every key that starts with {@code prefix} (the prefix is unique to one trial), by
     * a script in Redis that scans and unlinks: a trial's tear-down then allocates nothing
     * in the JVM that JMH's gc profiler would count against the trial's last iteration.
     */
    void deleteAll(String prefix) {
        byte[] cursor = utf8("0");
        do {
            cursor = sync.eval(DELETE_SCRIPT, ScriptOutputType.VALUE, new String[0], cursor, utf8(prefix + "*"));
        } while (!"0".equals(new String(cursor, StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
