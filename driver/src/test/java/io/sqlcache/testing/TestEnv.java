package io.sqlcache.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the integration tests find their real services. {@code SQLCACHE_TEST_MYSQL_URL}
 * (default {@code jdbc:mysql://127.0.0.1:3306/test?user=root&password=}) and
 * {@code SQLCACHE_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}). When a service is
 * unreachable the test fails with a message that says what to start; it never skips.
 */
public final class TestEnv {

    public static final String MYSQL_URL = env("SQLCACHE_TEST_MYSQL_URL",
            "jdbc:mysql://127.0.0.1:3306/test?user=root&password=");
    public static final String REDIS_URL = env("SQLCACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    private TestEnv() {
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * The MySQL URL with {@code jdbc:mysql:} replaced by {@code jdbc:sqlcache:mysql:} and extra parameters
     * appended; a 2 s store timeout unless the parameters set one.
     */
    public static String sqlcacheUrl(String extraParams) {
        String url = "jdbc:sqlcache:" + MYSQL_URL.substring("jdbc:".length());
        String params = extraParams == null ? "" : extraParams;
        if (!params.contains("sqlcache.timeoutMs=")) {
            // a loaded 2-core CI machine can stall a Redis reply past the 200 ms default; tests that
            // assert a hit must not flake on that (fault tests set their own short timeout)
            params = params.isEmpty() ? "sqlcache.timeoutMs=2000" : params + "&sqlcache.timeoutMs=2000";
        }
        return url + (url.contains("?") ? "&" : "?") + params;
    }

    /** A direct connection to the test database through the real driver. */
    public static Connection mysql() {
        try {
            return DriverManager.getConnection(MYSQL_URL);
        } catch (SQLException e) {
            throw new AssertionError("MariaDB/MySQL is not reachable at " + MYSQL_URL
                    + ": start it (see README, 'Running the tests': .ci/run starts it) or set SQLCACHE_TEST_MYSQL_URL", e);
        }
    }

    /** Host of the test Redis. */
    public static String redisHost() {
        return URI.create(REDIS_URL).getHost();
    }

    /** Port of the test Redis. */
    public static int redisPort() {
        int p = URI.create(REDIS_URL).getPort();
        return p < 0 ? 6379 : p;
    }

    /** Fails with a message that says what to start when the test Redis does not answer a PING. */
    public static void requireRedis() {
        try (var s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(redisHost(), redisPort()), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] buf = new byte[16];
            int n = s.getInputStream().read(buf);
            if (n <= 0 || !new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII).contains("PONG")) {
                throw new AssertionError("Redis at " + REDIS_URL + " did not answer PING");
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("Redis is not reachable at " + REDIS_URL
                    + ": start it (redis-server --daemonize yes --port 6379) or set SQLCACHE_TEST_REDIS_URL", e);
        }
    }
}
