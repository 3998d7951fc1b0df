package io.sqlcache.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.proxy.ProxyConfig;
import io.sqlcache.proxy.ProxyServer;
import io.sqlcache.sql.TableName;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coalesced misses through the proxy, against the real MariaDB and Redis. The leader's query is
 * held in MariaDB by a table lock that the test owns (LOCK TABLES ... WRITE on a direct
 * connection), and {@link Coalescer#afterJoin} counts the sessions that joined it, so the
 * interleaving is forced, not hoped for. What reached the backend is each session's own
 * {@code Com_select}, read through the proxy on the same backend connection.
 */
class CoalescedMissIT {

    private static final URI BACKEND = URI.create(TestEnv.MYSQL_URL.substring("jdbc:".length()));
    /** Generous: only a broken proxy makes a test wait this long. */
    private static final long GUARD_SECONDS = 60;

    private static ProxyServer proxy;
    private static ExecutorService pool;
    private String table;
    private String schema;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRedis();
        CacheConfig cache = CacheConfig.parse(Map.of("sqlcache.redis", TestEnv.REDIS_URL,
                "sqlcache.prefix", Db.uniquePrefix(), "sqlcache.timeoutMs", "2000"), k -> null);
        int port = BACKEND.getPort() < 0 ? 3306 : BACKEND.getPort();
        proxy = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, BACKEND.getHost(), port, cache)
                .withCatalog("root", "")).start();
        pool = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws Exception {
        Coalescer.afterJoin = null;
        pool.shutdownNow();
        if (proxy != null) {
            proxy.context().runtime().store().flushAll();
            proxy.close();
        }
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = Db.uniqueTable("coalesce_it");
        try (Connection c = TestEnv.mysql()) {
            schema = c.getCatalog();
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        }
        // loads the catalog model and creates the table's version key, so that the reads under
        // test touch neither the catalog (which the table lock would block) nor a missing key
        try (Connection c = viaProxy()) {
            Db.one(c, "SELECT v FROM " + table + " WHERE id = 2");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        Coalescer.afterJoin = null;
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private static Connection viaProxy() throws SQLException {
        String url = TestEnv.MYSQL_URL.replace(BACKEND.getHost() + ":" + (BACKEND.getPort() < 0 ? 3306 : BACKEND.getPort()),
                "127.0.0.1:" + proxy.port());
        return DriverManager.getConnection(url);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1) + "=" + rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void concurrentMissesOfOneEntryRunItOnceOnTheBackend() throws Exception {
        int n = 5;
        String sql = "SELECT id, v FROM " + table + " ORDER BY id";
        List<String> expected;
        try (Connection direct = TestEnv.mysql()) {
            expected = rows(direct, sql);
        }
        List<Connection> clients = new ArrayList<>();
        try (Connection lock = TestEnv.mysql()) {
            long[] before = new long[n];
            for (int i = 0; i < n; i++) {
                clients.add(viaProxy());
                before[i] = Db.comSelect(clients.get(i));
            }
            long coalescedBefore = proxy.context().coalescer().coalesced();
            CountDownLatch joined = new CountDownLatch(n - 1);
            Coalescer.afterJoin = joined::countDown;
            Db.exec(lock, "LOCK TABLES " + table + " WRITE");
            List<Future<List<String>>> answers = new ArrayList<>();
            try {
                for (Connection c : clients) {
                    answers.add(pool.submit(() -> rows(c, sql)));
                }
                // one leader is held by the lock in MariaDB; every other session must join it
                assertThat(joined.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("all but the leader joined").isTrue();
            } finally {
                Db.exec(lock, "UNLOCK TABLES");
            }
            long ran = 0;
            for (int i = 0; i < n; i++) {
                assertThat(answers.get(i).get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
                ran += Db.comSelect(clients.get(i)) - before[i];
            }
            assertThat(ran).as("SELECTs that reached MariaDB").isEqualTo(1);
            assertThat(proxy.context().coalescer().coalesced() - coalescedBefore).isEqualTo(n - 1);
            assertThat(proxy.context().coalescer().inFlight()).isZero();
        } finally {
            for (Connection c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aReaderThatSawNewerVersionsDoesNotJoinAnOlderFlight() throws Exception {
        String sql = "SELECT id, v FROM " + table + " ORDER BY id";
        try (Connection lock = TestEnv.mysql();
                Connection leader = viaProxy();
                Connection waiter = viaProxy();
                Connection later = viaProxy()) {
            long leaderBefore = Db.comSelect(leader);
            long waiterBefore = Db.comSelect(waiter);
            long laterBefore = Db.comSelect(later);
            AtomicInteger joins = new AtomicInteger();
            CountDownLatch firstJoin = new CountDownLatch(1);
            Coalescer.afterJoin = () -> {
                joins.incrementAndGet();
                firstJoin.countDown();
            };
            Db.exec(lock, "LOCK TABLES " + table + " WRITE");
            Future<List<String>> leaderRows;
            Future<List<String>> waiterRows;
            Future<List<String>> laterRows;
            try {
                leaderRows = pool.submit(() -> rows(leader, sql));
                // the leader's flight exists once someone joins it: the waiter is sent only after
                // the leader is known to be in flight, by waiting for a join of either
                waiterRows = pool.submit(() -> rows(waiter, sql));
                assertThat(firstJoin.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
                // a write the cache saw: the lock owner may write, and its bump is what a write
                // through the driver or the proxy would do
                Db.exec(lock, "UPDATE " + table + " SET v = 'uno' WHERE id = 1");
                proxy.context().runtime().invalidate(Set.of(TableName.of(schema, table)), false);
                laterRows = pool.submit(() -> rows(later, sql));
                // the later reader reaches MariaDB (and waits on the lock) instead of joining:
                // its own SELECT shows in its session's Com_select once the lock is gone
            } finally {
                Db.exec(lock, "UNLOCK TABLES");
            }
            assertThat(laterRows.get(GUARD_SECONDS, TimeUnit.SECONDS)).contains("1=uno");
            leaderRows.get(GUARD_SECONDS, TimeUnit.SECONDS);
            waiterRows.get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(joins.get()).as("sessions that joined a flight").isEqualTo(1);
            assertThat(Db.comSelect(later) - laterBefore).as("the later reader ran its own").isEqualTo(1);
            assertThat((Db.comSelect(leader) - leaderBefore) + (Db.comSelect(waiter) - waiterBefore))
                    .as("leader and waiter together").isEqualTo(1);
        }
    }
}
