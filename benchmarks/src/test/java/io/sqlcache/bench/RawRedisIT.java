package io.sqlcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scale fixtures' scripts against the real Redis ({@code SQLCACHE_TEST_REDIS_URL}, default
 * 127.0.0.1:6379): {@link RawRedis#fill} writes what it says, across its batches, and
 * {@link RawRedis#deleteAll} removes every key of its prefix and nothing else.
 */
class RawRedisIT {

    private static RawRedis redis;

    @BeforeAll
    static void connect() {
        try {
            redis = new RawRedis();
            redis.sync.ping();
        } catch (RuntimeException e) {
            fail("Redis is not reachable at " + BenchEnv.REDIS_URL + " (set SQLCACHE_TEST_REDIS_URL, or start it:"
                    + " bin/services): " + e, e);
        }
    }

    @AfterAll
    static void close() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void fillWritesEveryKeyWithItsValueAndTtlAcrossBatches() {
        String prefix = BenchEnv.uniquePrefix() + "fill:";
        int count = 2 * RawRedis.FILL_BATCH + 7;
        byte[] value = "entry bytes \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        try {
            redis.fill(prefix, count, value, 120);
            assertThat(redis.keys(prefix + "*")).hasSize(count);
            for (int i : new int[] {0, RawRedis.FILL_BATCH - 1, RawRedis.FILL_BATCH, count - 1}) {
                assertThat(redis.sync.get(prefix + i)).as("key %d", i).isEqualTo(value);
                assertThat(redis.sync.ttl(prefix + i)).as("ttl of key %d", i).isBetween(1L, 120L);
            }
            assertThat(redis.sync.exists(prefix + count)).isZero();
        } finally {
            redis.deleteAll(prefix);
        }
    }

    @Test
    void deleteAllRemovesThePrefixesKeysAndNoOthers() {
        String prefix = BenchEnv.uniquePrefix();
        String other = BenchEnv.uniquePrefix();
        byte[] value = {1, 2, 3};
        try {
            redis.fill(prefix + "a:", 25_000, value, 120);
            redis.sync.set(prefix + "b", value);
            redis.sync.set(other + "kept", value);
            redis.deleteAll(prefix);
            assertThat(redis.keys(prefix + "*")).isEmpty();
            assertThat(redis.sync.get(other + "kept")).isEqualTo(value);
        } finally {
            redis.deleteAll(other);
        }
        assertThat(redis.keys(other + "*")).isEqualTo(List.of());
    }
}
