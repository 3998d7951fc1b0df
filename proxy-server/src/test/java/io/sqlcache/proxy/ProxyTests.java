package io.sqlcache.proxy;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.TestEnv;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Where the proxy's integration tests find the backend, and proxies configured for it. */
final class ProxyTests {

    static final URI BACKEND = URI.create(TestEnv.MYSQL_URL.substring("jdbc:".length()));

    private ProxyTests() {
    }

    static int backendPort() {
        return BACKEND.getPort() < 0 ? 3306 : BACKEND.getPort();
    }

    static String database() {
        return BACKEND.getPath().substring(1);
    }

    /** The test URL's query parameters (user, password, …). */
    static Map<String, String> urlParams() {
        Map<String, String> out = new HashMap<>();
        String q = BACKEND.getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            }
        }
        return out;
    }

    /** A proxy config in front of the test backend that reads the catalog as the test URL's user. */
    static ProxyConfig config(CacheConfig cache) {
        Map<String, String> p = urlParams();
        return ProxyConfig.of("127.0.0.1", 0, BACKEND.getHost(), backendPort(), cache)
                .withCatalog(p.getOrDefault("user", "root"), p.getOrDefault("password", ""));
    }

    /**
     * The test Redis under {@code prefix} (unique per test class), with a store timeout long
     * enough that a loaded machine cannot turn an expected hit into a bypass.
     */
    static CacheConfig redisCache(String prefix) {
        return CacheConfig.parse(Map.of("sqlcache.redis", TestEnv.REDIS_URL, "sqlcache.prefix", prefix,
                "sqlcache.timeoutMs", "2000"), k -> null);
    }

    /** Deletes the proxy's keys (its prefix is the test's own) and closes it; null-safe. */
    static void stop(ProxyServer proxy) throws Exception {
        if (proxy != null) {
            proxy.context().runtime().store().flushAll();
            proxy.close();
        }
    }

    /** The test URL with the proxy's address instead of the server's. */
    static String proxyUrl(int proxyPort, String extra) {
        String url = TestEnv.MYSQL_URL.replace(BACKEND.getHost() + ":" + backendPort(), "127.0.0.1:" + proxyPort);
        return extra.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + extra;
    }
}
