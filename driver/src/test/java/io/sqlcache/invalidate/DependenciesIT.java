package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Dependencies} against the real MariaDB catalog: when a model is reloaded, and what
 * happens when the catalog cannot be read or its triggers cannot be seen.
 */
class DependenciesIT {

    private String t;
    private String v;
    private String audit;
    private final AtomicLong clock = new AtomicLong();
    private final SqlAnalyzer analyzer = new SqlAnalyzer(100);

    @BeforeEach
    void setUp() throws SQLException {
        t = Db.uniqueTable("dep_t");
        v = t + "_v";
        audit = t + "_audit";
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY)", "CREATE TABLE " + audit + " (id INT)",
                    "CREATE VIEW " + v + " AS SELECT id FROM " + t,
                    "CREATE TRIGGER " + t + "_trg AFTER INSERT ON " + t + " FOR EACH ROW INSERT INTO " + audit
                            + " VALUES (NEW.id)");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP VIEW IF EXISTS " + v, "DROP TABLE IF EXISTS " + t, "DROP TABLE IF EXISTS " + audit);
        }
    }

    private Dependencies dependencies(Duration maxAge) {
        return new Dependencies(analyzer::analyze, maxAge, clock::get);
    }

    private static TableName test(String name) {
        return TableName.of("test", name);
    }

    @Test
    void aModelIsLoadedOnceThenAgainAfterDdlOrWhenTooOld() {
        Dependencies d = dependencies(Duration.ofSeconds(30));
        CatalogConnector mysql = TestEnv::mysql;
        Dependencies.Reads reads = d.expandRead("server", mysql, Set.of(test(v)));
        assertThat(reads.bypass()).isNull();
        assertThat(reads.tables()).containsExactlyInAnyOrder(test(v), test(t));
        Dependencies.Writes writes = d.expandWrite("server", mysql, Set.of(test(t)));
        assertThat(writes.unknown()).isFalse();
        assertThat(writes.tables()).containsExactlyInAnyOrder(test(t), test(audit));
        assertThat(d.loads()).as("one schema, one load").isEqualTo(1);

        Dependencies.catalogChanged();
        d.expandRead("server", mysql, Set.of(test(v)));
        assertThat(d.loads()).as("DDL seen in this JVM").isEqualTo(2);

        clock.addAndGet(Duration.ofSeconds(29).toNanos());
        d.expandRead("server", mysql, Set.of(test(v)));
        assertThat(d.loads()).isEqualTo(2);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        d.expandRead("server", mysql, Set.of(test(v)));
        assertThat(d.loads()).as("older than the maximum age").isEqualTo(3);

        d.expandRead("another server", mysql, Set.of(test(v)));
        assertThat(d.loads()).as("models are per server").isEqualTo(4);
    }

    @Test
    void maxAgeIsCappedAtAMinute() {
        Dependencies d = dependencies(Duration.ofHours(1));
        d.expandRead("server", TestEnv::mysql, Set.of(test(v)));
        clock.addAndGet(Dependencies.MAX_AGE_CAP.toNanos() + 1);
        d.expandRead("server", TestEnv::mysql, Set.of(test(v)));
        assertThat(d.loads()).isEqualTo(2);
    }

    @Test
    void anUnreadableCatalogBypassesReadsAndMakesWritesUnknownUntilItCanBeReadAgain() {
        Dependencies d = dependencies(Duration.ofSeconds(30));
        boolean[] down = {true};
        CatalogConnector flaky = () -> {
            if (down[0]) {
                throw new SQLException("connection refused (test)");
            }
            return TestEnv.mysql();
        };
        Dependencies.Reads reads = d.expandRead("server", flaky, Set.of(test(t)));
        assertThat(reads.bypass()).contains("unreadable").contains("connection refused (test)");
        assertThat(d.expandWrite("server", flaky, Set.of(test(t))).unknown()).isTrue();
        down[0] = false;
        assertThat(d.expandRead("server", flaky, Set.of(test(t))).bypass()).as("remembered for a while").isNotNull();
        clock.addAndGet(Dependencies.FAILURE_AGE.toNanos() + 1);
        assertThat(d.expandRead("server", flaky, Set.of(test(v))).tables()).contains(test(t));
        assertThat(d.expandWrite("server", flaky, Set.of(test(t))).unknown()).isFalse();
    }

    @Test
    void aCatalogQueryThatFailsIsRetriedOnAFreshConnectionThenCountsAsUnreadable() throws SQLException {
        Dependencies d = dependencies(Duration.ofSeconds(30));
        int[] opened = {0};
        CatalogConnector closedConnections = () -> {
            opened[0]++;
            Connection c = TestEnv.mysql();
            c.close(); // every query on it fails
            return c;
        };
        assertThat(d.expandRead("server", closedConnections, Set.of(test(t))).bypass()).contains("unreadable");
        assertThat(opened[0]).isEqualTo(2);
    }

    /**
     * information_schema.TRIGGERS shows a user only the triggers of tables it holds privileges
     * on, and their bodies only with the TRIGGER privilege. Here the user may insert into
     * {@code t} and see its trigger (which writes {@code audit}), but not {@code audit}'s own
     * trigger (which writes {@code w}): without the privilege check, {@code w} would be stale.
     */
    @Test
    void aUserWhoCannotSeeEveryTriggerInvalidatesEverythingOnWrite() throws SQLException {
        String user = "sqlc_" + t.substring(t.length() - 8);
        String w = t + "_w";
        try (Connection root = TestEnv.mysql()) {
            Db.exec(root, "CREATE TABLE " + w + " (id INT)",
                    "CREATE TRIGGER " + audit + "_trg AFTER INSERT ON " + audit + " FOR EACH ROW INSERT INTO " + w
                            + " VALUES (NEW.id)",
                    "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'",
                    "GRANT SELECT, INSERT, TRIGGER ON test." + t + " TO '" + user + "'@'%'",
                    "GRANT SELECT ON test." + w + " TO '" + user + "'@'%'");
        }
        try {
            String url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix="
                    + Db.uniquePrefix() + "&sqlcache.timeoutMs=2000")
                    .replaceFirst("user=[^&]*", "user=" + user).replaceFirst("password=[^&]*", "password=pw");
            TestEnv.requireRedis();
            try (Connection app = DriverManager.getConnection(url);
                    Connection writer = DriverManager.getConnection(url)) {
                assertThat(Db.one(app, "SELECT CURRENT_USER()")).startsWith(user + "@");
                String sql = "SELECT COUNT(*) FROM " + w;
                assertThat(count(app, sql)).isEqualTo("0");
                assertThat(count(app, sql)).isEqualTo("0");
                assertThat(lastOutcome).isEqualTo("hit");
                Db.exec(writer, "INSERT INTO " + t + " VALUES (1)");
                assertThat(count(app, sql)).as("written by a trigger this user cannot see").isEqualTo("1");
            }
        } finally {
            try (Connection root = TestEnv.mysql()) {
                Db.exec(root, "DROP USER IF EXISTS '" + user + "'@'%'", "DROP TABLE IF EXISTS " + w);
            }
        }
    }

    private String lastOutcome;

    private String count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            lastOutcome = st.unwrap(SqlCacheStatement.class).lastCacheOutcome();
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void theCatalogIsReadOnItsOwnConnectionNotTheApplications() throws SQLException {
        TestEnv.requireRedis();
        String url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix="
                + Db.uniquePrefix() + "&sqlcache.timeoutMs=2000");
        try (Connection app = DriverManager.getConnection(url)) {
            long before = Db.comSelect(app);
            for (String name : List.of(v, t, audit)) {
                count(app, "SELECT COUNT(*) FROM " + name);
                assertThat(lastOutcome).isEqualTo("miss");
            }
            assertThat(Db.comSelect(app) - before).as("SELECTs on the application's session").isEqualTo(3);
        }
    }
}
