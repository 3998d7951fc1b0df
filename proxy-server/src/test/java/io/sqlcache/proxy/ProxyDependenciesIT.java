package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes a statement does not show, through the proxy: reads of views depend on their base
 * tables, writes reach trigger targets and cascading children, also across the driver and the
 * proxy; a procedure's temporary tables; and the proxy without a catalog login stays correct.
 */
class ProxyDependenciesIT {

    private static String prefix;
    private static ProxyServer proxy;
    private final List<String> drops = new ArrayList<>();

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
        prefix = Db.uniquePrefix();
        proxy = new ProxyServer(ProxyTests.config(cache())).start();
    }

    private static CacheConfig cache() {
        return ProxyTests.redisCache(prefix);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        ProxyTests.stop(proxy);
    }

    @AfterEach
    void dropObjects() throws SQLException {
        try (Connection c = TestEnv.mysql(); Statement st = c.createStatement()) {
            for (int i = drops.size() - 1; i >= 0; i--) {
                st.execute(drops.get(i));
            }
        }
    }

    /** Runs DDL straight on the server, and tells this JVM's models (DDL seen elsewhere is followed within 60 s). */
    private void direct(String... sqls) throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, sqls);
        }
        Dependencies.catalogChanged();
    }

    private String table(String stem, String columns) throws SQLException {
        String t = Db.uniqueTable(stem);
        direct("CREATE TABLE " + t + " (" + columns + ") ENGINE=InnoDB");
        drops.add("DROP TABLE IF EXISTS " + t);
        return t;
    }

    private static Connection viaProxy(ProxyServer p) throws SQLException {
        return DriverManager.getConnection(ProxyTests.proxyUrl(p.port(), ""));
    }

    private static Connection driver() throws SQLException {
        // its own runtime (another timeout): only Redis is shared with the proxy
        return DriverManager.getConnection(TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL
                + "&sqlcache.prefix=" + prefix + "&sqlcache.timeoutMs=2001"));
    }

    /** The session's Com_select as the server counts it (the statement itself is no SELECT). */
    private static long selects(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** Reads {@code sql} twice through {@code c}, asserting the second read was a hit; returns the value. */
    private static String cached(Connection c, String sql) throws SQLException {
        String first = Db.one(c, sql);
        long before = selects(c);
        assertThat(Db.one(c, sql)).isEqualTo(first);
        assertThat(selects(c)).as("the repeated read of %s is a hit", sql).isEqualTo(before);
        return first;
    }

    @Test
    void aViewReadThroughTheProxyIsInvalidatedByWritesToItsBaseTablesFromTheProxyAndTheDriver() throws SQLException {
        String t = table("dep_base", "id INT PRIMARY KEY, v VARCHAR(20)");
        String inner = Db.uniqueTable("dep_view_inner");
        String outer = Db.uniqueTable("dep_view_outer");
        direct("INSERT INTO " + t + " VALUES (1, 'one')",
                "CREATE VIEW " + inner + " AS SELECT id, v FROM " + t,
                "CREATE VIEW " + outer + " AS SELECT v FROM " + inner + " WHERE id = 1");
        drops.add("DROP VIEW IF EXISTS " + inner);
        drops.add("DROP VIEW IF EXISTS " + outer);
        String sql = "SELECT v FROM " + outer;
        try (Connection p = viaProxy(proxy); Connection d = driver()) {
            assertThat(cached(p, sql)).isEqualTo("one");
            Db.exec(p, "UPDATE " + t + " SET v = 'by proxy' WHERE id = 1");
            assertThat(cached(p, sql)).as("a proxy write to the base table under nested views").isEqualTo("by proxy");
            Db.exec(d, "UPDATE " + t + " SET v = 'by driver' WHERE id = 1");
            assertThat(Db.one(p, sql)).as("a driver write to the base table").isEqualTo("by driver");

            // and the reverse: the driver caches the view, the proxy writes the base table
            try (Statement st = d.createStatement()) {
                st.executeQuery(sql).close();
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("by driver");
                }
                assertThat(st.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
                Db.exec(p, "UPDATE " + t + " SET v = 'proxy again' WHERE id = 1");
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("proxy again");
                }
            }
        }
    }

    @Test
    void aWriteThroughTheProxyBumpsWhatItsTriggersWrite() throws SQLException {
        String src = table("dep_src", "id INT PRIMARY KEY");
        String audit = table("dep_audit", "n INT");
        String trigger = Db.uniqueTable("dep_trg");
        direct("INSERT INTO " + audit + " VALUES (0)",
                "CREATE TRIGGER " + trigger + " AFTER INSERT ON " + src + " FOR EACH ROW UPDATE " + audit
                        + " SET n = n + 1");
        String sql = "SELECT n FROM " + audit;
        try (Connection p = viaProxy(proxy); Connection d = driver()) {
            assertThat(cached(p, sql)).isEqualTo("0");
            Db.exec(p, "INSERT INTO " + src + " VALUES (1)");
            assertThat(cached(p, sql)).as("the trigger's target was bumped by the proxy").isEqualTo("1");
            Db.exec(d, "INSERT INTO " + src + " VALUES (2)");
            assertThat(Db.one(p, sql)).as("by the driver too").isEqualTo("2");
            // a prepared write through the proxy expands too
            try (Connection ps = DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), "useServerPrepStmts=true"));
                    var ins = ps.prepareStatement("INSERT INTO " + src + " VALUES (?)")) {
                assertThat(cached(p, sql)).isEqualTo("2");
                ins.setInt(1, 3);
                ins.executeUpdate();
            }
            assertThat(Db.one(p, sql)).as("a server-side prepared insert").isEqualTo("3");
        }
    }

    @Test
    void aDeleteThroughTheProxyBumpsCascadingChildren() throws SQLException {
        String parent = table("dep_parent", "id INT PRIMARY KEY");
        String child = table("dep_child", "id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES "
                + "%s (id) ON DELETE CASCADE".replace("%s", parent));
        direct("INSERT INTO " + parent + " VALUES (1), (2)", "INSERT INTO " + child + " VALUES (10, 1), (20, 2)");
        String sql = "SELECT COUNT(*) FROM " + child;
        try (Connection p = viaProxy(proxy)) {
            assertThat(cached(p, sql)).isEqualTo("2");
            Db.exec(p, "DELETE FROM " + parent + " WHERE id = 1");
            assertThat(cached(p, sql)).as("the cascade's child was bumped").isEqualTo("1");
            // in a transaction: the child is in the write set, so the transaction reads its own cascade
            p.setAutoCommit(false);
            Db.exec(p, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            Db.exec(p, "DELETE FROM " + parent + " WHERE id = 2");
            assertThat(Db.one(p, sql)).as("read your own cascade").isEqualTo("0");
            p.commit();
            p.setAutoCommit(true);
            assertThat(Db.one(p, sql)).isEqualTo("0");
        }
    }

    @Test
    void aProcedureThatCreatesATemporaryTableShadowingACachedOneIsNeverServedTheCachedRows() throws SQLException {
        String t = table("dep_shadowed", "v VARCHAR(20)");
        String proc = Db.uniqueTable("dep_proc");
        direct("INSERT INTO " + t + " VALUES ('real')",
                "CREATE PROCEDURE " + proc + "() CREATE TEMPORARY TABLE " + t + " (v VARCHAR(20)) SELECT 'temporary' AS v");
        drops.add("DROP PROCEDURE IF EXISTS " + proc);
        String sql = "SELECT v FROM " + t;
        try (Connection p = viaProxy(proxy)) {
            assertThat(cached(p, sql)).isEqualTo("real");
            Db.exec(p, "CALL " + proc + "()");
            // USE and SET make the schema and the isolation known again; the temporary tables stay unknown
            Db.exec(p, "USE " + ProxyTests.database(), "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            assertThat(Db.one(p, sql)).as("the procedure's temporary table shadows the real one").isEqualTo("temporary");
            long before = selects(p);
            assertThat(Db.one(p, sql)).isEqualTo("temporary");
            assertThat(selects(p)).as("reads bypass after the call").isEqualTo(before + 1);
            try (Connection other = viaProxy(proxy)) {
                assertThat(Db.one(other, sql)).as("another session still sees the real table").isEqualTo("real");
            }
        }
    }

    @Test
    void withoutACatalogLoginNothingIsCachedAndWritesInvalidateEverything() throws Exception {
        String src = table("dep_nocat_src", "id INT PRIMARY KEY");
        String audit = table("dep_nocat_audit", "n INT");
        String trigger = Db.uniqueTable("dep_nocat_trg");
        direct("INSERT INTO " + audit + " VALUES (0)",
                "CREATE TRIGGER " + trigger + " AFTER INSERT ON " + src + " FOR EACH ROW UPDATE " + audit
                        + " SET n = n + 1");
        ProxyConfig noCatalog = ProxyTests.config(cache()).withCatalog(null, null);
        String sql = "SELECT n FROM " + audit;
        try (ProxyServer bare = new ProxyServer(noCatalog).start(); Connection p = viaProxy(bare); Connection d = driver()) {
            assertThat(Db.one(p, sql)).isEqualTo("0");
            long before = selects(p);
            assertThat(Db.one(p, sql)).isEqualTo("0");
            assertThat(selects(p)).as("not cached without a catalog").isEqualTo(before + 1);
            assertThat(status(p).get("bypass: " + "no catalog access (set --catalog-user)")).isNotNull();

            // the driver caches the trigger's target; a write through the bare proxy cannot name it: everything is bumped
            try (Statement st = d.createStatement()) {
                st.executeQuery(sql).close();
                st.executeQuery(sql).close();
                assertThat(st.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
                Db.exec(p, "INSERT INTO " + src + " VALUES (1)");
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("1");
                }
                assertThat(st.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("miss");
            }
        }
    }

    private static Map<String, String> status(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SQLCACHE STATUS")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}
