package io.sqlcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where the benchmarks find their services. No service needed. */
class BenchEnvTest {

    @Test
    void aRedisUrlGetsTheDatabaseAskedForWhateverItNamedBefore() {
        assertThat(BenchEnv.redisUrl("redis://127.0.0.1:6379", 14)).isEqualTo("redis://127.0.0.1:6379/14");
        assertThat(BenchEnv.redisUrl("redis://127.0.0.1:6379/", 14)).isEqualTo("redis://127.0.0.1:6379/14");
        assertThat(BenchEnv.redisUrl("redis://127.0.0.1:6379/3", 15)).isEqualTo("redis://127.0.0.1:6379/15");
        assertThat(BenchEnv.redisUrl("rediss://app:s%40cret@cache.example:6380/0?timeout=5s", 15))
                .isEqualTo("rediss://app:s%40cret@cache.example:6380/15?timeout=5s");
    }
}
