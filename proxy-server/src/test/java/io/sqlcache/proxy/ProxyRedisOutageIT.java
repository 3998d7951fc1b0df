package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I4 through the proxy, whose lookups now run on the event loops: a frozen Redis (SIGSTOP) must
 * hold only the query waiting for it, never an event loop, and a killed Redis must never fail a
 * query. Each test runs its own redis-server.
 */
class ProxyRedisOutageIT {

    /** Only a broken proxy makes a test wait this long. */
    private static final long GUARD_SECONDS = 120;

    private RedisServerProcess redis;
    private ProxyServer proxy;
    private String table;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    /** @param timeoutMs the store's command timeout: long, so a frozen Redis holds a lookup that long */
    private void start(String timeoutMs) throws Exception {
        redis = RedisServerProcess.start();
        CacheConfig cache = CacheConfig.parse(Map.of("sqlcache.redis", redis.uri(), "sqlcache.prefix", Db.uniquePrefix(),
                "sqlcache.timeoutMs", timeoutMs), k -> null);
        proxy = new ProxyServer(ProxyTests.config(cache)).start();
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = Db.uniqueTable("proxy_outage");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'one'), (2, 'two')");
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        pool.shutdownNow();
        if (redis != null && redis.isAlive()) {
            redis.resume();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private Connection client() throws SQLException {
        return DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), ""));
    }

    @Test
    void aLookupHeldByAFrozenRedisBlocksNoEventLoop() throws Exception {
        start("60000");
        String sql = "SELECT v FROM " + table + " WHERE id = 2";
        try (Connection a = client()) {
            assertThat(Db.one(a, sql)).isEqualTo("two"); // miss, stored
            assertThat(Db.one(a, sql)).isEqualTo("two"); // hit: the text is known, the lookup is async
            redis.pause();
            Future<String> held = pool.submit(() -> Db.one(a, sql));
            // Netty hands new channels to its event loops round robin: twice as many fresh clients
            // as loops land on every loop, also the one waiting for the frozen Redis
            int loops = proxy.context().config().eventLoops();
            for (int i = 0; i < 2 * loops; i++) {
                try (Connection other = client()) {
                    // not cacheable: answered by MariaDB through the proxy, no store call
                    assertThat(Db.one(other, "SELECT CONCAT('x', NOW() IS NOT NULL)")).isEqualTo("x1");
                }
            }
            // the other clients were all served while the lookup still waits (its timeout is 60 s)
            assertThat(held.isDone()).as("the held lookup is still waiting for Redis").isFalse();
            redis.resume();
            assertThat(held.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("two");
        }
    }

    @Test
    void aMissIsAnsweredWithoutWaitingForItsStore() throws Exception {
        // the store waits 60 s for a reply: a proxy that waited for the SET's would miss the 30 s below
        start("60000");
        try (Connection a = client()) {
            // creates the table's version keys: the lookups below write nothing. Then a hit: its
            // lookup went after the miss's SET, which cannot be held by the pause
            String first = "SELECT v FROM " + table + " WHERE id = 1";
            assertThat(Db.one(a, first)).isEqualTo("one");
            assertThat(Db.one(a, first)).isEqualTo("one");
            String sql = "SELECT v FROM " + table + " WHERE id = 2";
            String keys = redis.command("DBSIZE");
            // reads (the lookup's MGET) go on, writes (the miss's SET) wait until UNPAUSE
            assertThat(redis.command("CLIENT", "PAUSE", "600000", "WRITE")).startsWith("+OK");
            Future<String> miss = pool.submit(() -> Db.one(a, sql));
            assertThat(miss.get(30, TimeUnit.SECONDS)).isEqualTo("two");
            assertThat(redis.command("DBSIZE")).as("the SET has not run yet").isEqualTo(keys);
            long selects = Db.comSelect(a);
            assertThat(redis.command("CLIENT", "UNPAUSE")).startsWith("+OK");
            // the connection's next command runs after its SET: a hit
            assertThat(Db.one(a, sql)).isEqualTo("two");
            assertThat(Db.comSelect(a)).as("the repeated query did not reach MariaDB").isEqualTo(selects);
        }
    }

    @Test
    void aKilledOrFrozenRedisNeverFailsAQuery() throws Exception {
        start("200");
        String point = "SELECT v FROM " + table + " WHERE id = ?";
        String text = "SELECT id, v FROM " + table + " ORDER BY id";
        try (Connection c = client(); Connection prepared = DriverManager.getConnection(
                ProxyTests.proxyUrl(proxy.port(), "useServerPrepStmts=true"))) {
            List<String> before = answers(c, prepared, point, text);
            redis.pause();
            for (int i = 0; i < 3; i++) {
                assertThat(answers(c, prepared, point, text)).isEqualTo(before);
            }
            redis.resume();
            redis.kill();
            for (int i = 0; i < 3; i++) {
                assertThat(answers(c, prepared, point, text)).isEqualTo(before);
            }
        }
    }

    private static List<String> answers(Connection c, Connection prepared, String point, String text) throws SQLException {
        List<String> out = new ArrayList<>();
        out.add(Db.one(c, text.replace("ORDER BY id", "WHERE id = 1")));
        try (var ps = prepared.prepareStatement(point)) {
            for (int id = 1; id <= 2; id++) {
                ps.setInt(1, id);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    out.add(rs.getString(1));
                }
            }
        }
        try (var st = c.createStatement(); var rs = st.executeQuery(text)) {
            while (rs.next()) {
                out.add(rs.getInt(1) + "=" + rs.getString(2));
            }
        }
        return out;
    }
}
