package io.sqlcache.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Lettuce connection (string keys, byte values) for what the benchmarks do beside the
 * driver: the floor's GET, finding the entries the driver stored, filling and deleting keys.
 * Not thread-safe beyond Lettuce's own guarantees.
 */
final class RawRedis implements AutoCloseable {

    private final RedisClient client = RedisClient.create(BenchEnv.REDIS_URL);
    private final StatefulRedisConnection<String, byte[]> connection =
            client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    final RedisCommands<String, byte[]> sync = connection.sync();
    private final RedisAsyncCommands<String, byte[]> async = connection.async();

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

    /** Writes {@code count} keys {@code prefix + i} holding {@code value}, pipelined, with a TTL. */
    void fill(String prefix, int count, byte[] value, int ttlSeconds) throws Exception {
        SetArgs ex = SetArgs.Builder.ex(ttlSeconds);
        List<RedisFuture<String>> pending = new ArrayList<>(10_000);
        for (int i = 0; i < count; i++) {
            pending.add(async.set(prefix + i, value, ex));
            if (pending.size() == 10_000) {
                drain(pending);
            }
        }
        drain(pending);
    }

    /** Deletes every key that starts with {@code prefix} (the prefix is unique to one trial). */
    void deleteAll(String prefix) throws Exception {
        List<String> keys = keys(prefix + "*");
        List<RedisFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 1000) {
            pending.add(async.unlink(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(String[]::new)));
        }
        for (RedisFuture<Long> f : pending) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private static <T> void drain(List<RedisFuture<T>> pending) throws Exception {
        for (RedisFuture<T> f : pending) {
            f.get(60, TimeUnit.SECONDS);
        }
        pending.clear();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
