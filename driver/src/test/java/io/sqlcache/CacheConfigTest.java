package io.sqlcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheConfigTest {

    private static CacheConfig parse(Map<String, String> settings) {
        return CacheConfig.parse(settings, name -> null);
    }

    @Test
    void defaultsMatchTheDesign() {
        CacheConfig c = parse(Map.of());
        assertThat(c.redis()).isNull();
        assertThat(c.ttlSeconds()).isEqualTo(300);
        assertThat(c.maxRows()).isEqualTo(10_000);
        assertThat(c.maxBytes()).isEqualTo(1L << 20);
        assertThat(c.enabled()).isTrue();
        assertThat(c.prefix()).isEqualTo("sqlcache:");
    }

    @Test
    void readsEverySetting() {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("sqlcache.redis", "redis://cache:6380",
                "sqlcache.ttl", "60", "sqlcache.maxRows", "5", "sqlcache.maxBytes", "2048", "sqlcache.enabled", "FALSE",
                "sqlcache.prefix", "app1:", "sqlcache.timeoutMs", "50", "sqlcache.breakerMs", "0",
                "sqlcache.localCopyBytes", "0", "sqlcache.spinMicros", "0"));
        settings.put("sqlcache.redisLanes", "3");
        CacheConfig c = parse(settings);
        assertThat(c).isEqualTo(new CacheConfig("redis://cache:6380", 60, 5, 2048, false, "app1:", 50, 0, 0, 0, 3));
    }

    @Test
    void environmentGivesDefaultsThatSettingsOverride() {
        Map<String, String> env = Map.of("SQLCACHE_REDIS", "redis://from-env:6379", "SQLCACHE_TTL", "42");
        CacheConfig fromEnv = CacheConfig.parse(Map.of(), env::get);
        assertThat(fromEnv.redis()).isEqualTo("redis://from-env:6379");
        assertThat(fromEnv.ttlSeconds()).isEqualTo(42);
        CacheConfig overridden = CacheConfig.parse(Map.of("sqlcache.ttl", "7"), env::get);
        assertThat(overridden.ttlSeconds()).isEqualTo(7);
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> parse(Map.of("sqlcache.tll", "60")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sqlcache.tll'")
                .hasMessageContaining("sqlcache.ttl");
    }

    @ParameterizedTest
    @CsvSource({
        "sqlcache.ttl, 0", "sqlcache.ttl, -5", "sqlcache.ttl, ten", "sqlcache.ttl, 99999999999",
        "sqlcache.maxRows, -1", "sqlcache.maxBytes, 1e6", "sqlcache.enabled, yes", "sqlcache.redis, http://x:6379",
        "sqlcache.redis, not a uri", "sqlcache.prefix, 'a b'", "sqlcache.timeoutMs, 0"
    })
    void badValueIsNamedWithWhatIsAccepted(String key, String value) {
        assertThatThrownBy(() -> parse(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining("expected");
    }

    @Test
    void otherKeysAreNotOurs() {
        assertThat(parse(Map.of("user", "root", "useSSL", "false"))).isEqualTo(parse(Map.of()));
    }

    @Test
    void passwordNeverShows() {
        CacheConfig c = parse(Map.of("sqlcache.redis", "rediss://default:s3cret@cache.example:6379"));
        assertThat(c.toString()).doesNotContain("s3cret").contains("rediss://default:***@cache.example:6379");
    }
}
