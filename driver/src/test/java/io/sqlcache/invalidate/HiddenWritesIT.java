package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I1 for writes the statement text does not show (issue 3), against the real MariaDB and
 * Redis. Every test caches a read (and proves the second read was a hit), makes the hidden
 * write through sqlcache on another connection, and proves the next read returns what the
 * database holds, not the cached rows. Without the rule under test each would read stale rows.
 */
class HiddenWritesIT {

    private String base;
    private String url;
    private Connection app;
    private Connection writer;
    private Connection direct;
    /** DROP statements for what a test created, run newest first. */
    private final Deque<String> cleanup = new ArrayDeque<>();
    private String lastOutcome;

    @BeforeEach
    void setUp() throws SQLException {
        TestEnv.requireRedis();
        base = Db.uniqueTable("hw");
        url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + Db.uniquePrefix()
                + "&sqlcache.timeoutMs=2000&allowMultiQueries=true&allowLoadLocalInfile=true");
        direct = TestEnv.mysql();
        app = DriverManager.getConnection(url);
        writer = DriverManager.getConnection(url);
    }

    @AfterEach
    void tearDown() throws SQLException {
        try {
            for (String drop : cleanup) {
                Db.exec(direct, drop);
            }
        } finally {
            app.close();
            writer.close();
            direct.close();
        }
    }

    /** A name unique to this test. */
    private String n(String stem) {
        return base + "_" + stem;
    }

    /** Runs setup DDL straight on the database (not through sqlcache) and remembers how to undo it. */
    private void create(String drop, String... sqls) throws SQLException {
        cleanup.push(drop);
        Db.exec(direct, sqls);
    }

    private void table(String name, String columns, String... inserts) throws SQLException {
        create("DROP TABLE IF EXISTS " + name, "CREATE TABLE " + name + " (" + columns + ") ENGINE=InnoDB");
        Db.exec(direct, inserts);
    }

    /** All rows of {@code sql} on {@code c}, as "a,b;c,d". */
    private String rows(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= cols; i++) {
                    row.add(rs.getString(i));
                }
                out.add(String.join(",", row));
            }
            lastOutcome = st.isWrapperFor(SqlCacheStatement.class)
                    ? st.unwrap(SqlCacheStatement.class).lastCacheOutcome() : null;
            return String.join(";", out);
        }
    }

    /** Reads {@code sql} twice through sqlcache: the second read must be a hit. Returns the rows. */
    private String cache(String sql) throws SQLException {
        String first = rows(app, sql);
        assertThat(first).as("the database's rows").isEqualTo(rows(direct, sql));
        assertThat(rows(app, sql)).isEqualTo(first);
        assertThat(lastOutcome).as("second read of " + sql).isEqualTo("hit");
        return first;
    }

    /** The next read through sqlcache returns what the database holds now, which differs from {@code old}. */
    private void assertFresh(String sql, String old) throws SQLException {
        String now = rows(direct, sql);
        assertThat(now).as("the hidden write changed the database").isNotEqualTo(old);
        assertThat(rows(app, sql)).as("read through sqlcache after the hidden write: " + sql).isEqualTo(now);
        assertThat(lastOutcome).isNotEqualTo("hit");
    }

    private void write(String... sqls) throws SQLException {
        Db.exec(writer, sqls);
    }

    // ---- views ----

    @Test
    void aWriteToTheBaseTableInvalidatesAViewOverIt() throws SQLException {
        String t = n("t");
        String v = n("v");
        table(t, "id INT PRIMARY KEY, name VARCHAR(20)", "INSERT INTO " + t + " VALUES (1, 'a'), (2, 'b')");
        create("DROP VIEW IF EXISTS " + v, "CREATE VIEW " + v + " AS SELECT id, name FROM " + t + " WHERE id < 10");
        String sql = "SELECT name FROM " + v + " ORDER BY id";
        String old = cache(sql);
        write("UPDATE " + t + " SET name = 'a2' WHERE id = 1");
        assertFresh(sql, old);
    }

    @Test
    void nestedViewsInvalidateThroughEveryLevel() throws SQLException {
        String t = n("t");
        String u = n("u");
        table(t, "id INT PRIMARY KEY, x INT", "INSERT INTO " + t + " VALUES (1, 10)");
        table(u, "id INT PRIMARY KEY, y INT", "INSERT INTO " + u + " VALUES (1, 100)");
        create("DROP VIEW IF EXISTS " + n("v1"), "CREATE VIEW " + n("v1") + " AS SELECT id, x FROM " + t);
        create("DROP VIEW IF EXISTS " + n("v2"), "CREATE VIEW " + n("v2") + " AS SELECT v1.id, v1.x, u.y FROM "
                + n("v1") + " v1 JOIN " + u + " u ON u.id = v1.id");
        create("DROP VIEW IF EXISTS " + n("v3"), "CREATE VIEW " + n("v3") + " AS SELECT SUM(x + y) AS s FROM " + n("v2"));
        String sql = "SELECT s FROM " + n("v3");
        String old = cache(sql);
        write("UPDATE " + t + " SET x = 11");
        assertFresh(sql, old);
        old = cache(sql);
        write("INSERT INTO " + u + " VALUES (2, 1)", "INSERT INTO " + t + " VALUES (2, 5)");
        assertFresh(sql, old);
    }

    @Test
    void createOrReplaceViewFollowsTheNewDefinition() throws SQLException {
        String t1 = n("t1");
        String t2 = n("t2");
        String v = n("v");
        table(t1, "id INT PRIMARY KEY, name VARCHAR(20)", "INSERT INTO " + t1 + " VALUES (1, 'from t1')");
        table(t2, "id INT PRIMARY KEY, name VARCHAR(20)", "INSERT INTO " + t2 + " VALUES (1, 'from t2')");
        create("DROP VIEW IF EXISTS " + v, "CREATE VIEW " + v + " AS SELECT id, name FROM " + t1);
        String sql = "SELECT name FROM " + v;
        String old = cache(sql);
        write("CREATE OR REPLACE VIEW " + v + " AS SELECT id, name FROM " + t2);
        assertFresh(sql, old);
        // the model must have been reloaded: a write to t2 now invalidates the view
        old = cache(sql);
        write("UPDATE " + t2 + " SET name = 'from t2 v2'");
        assertFresh(sql, old);
    }

    @Test
    void aWriteThroughAnUpdatableViewInvalidatesItsBaseTable() throws SQLException {
        String t = n("t");
        String v = n("v");
        table(t, "id INT PRIMARY KEY, name VARCHAR(20)", "INSERT INTO " + t + " VALUES (1, 'a')");
        create("DROP VIEW IF EXISTS " + v, "CREATE VIEW " + v + " AS SELECT id, name FROM " + t);
        String sql = "SELECT name FROM " + t;
        String old = cache(sql);
        write("UPDATE " + v + " SET name = 'through the view'");
        assertFresh(sql, old);
    }

    @Test
    void aViewThatCallsANonDeterministicFunctionIsNeverCached() throws SQLException {
        String t = n("t");
        String v = n("v");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        create("DROP VIEW IF EXISTS " + v, "CREATE VIEW " + v + " AS SELECT id, RAND() AS r FROM " + t);
        String sql = "SELECT r FROM " + v;
        rows(app, sql);
        rows(app, sql);
        assertThat(lastOutcome).startsWith("bypass").contains("RAND");
    }

    // ---- triggers ----

    @Test
    void anAfterInsertTriggerInvalidatesTheAuditTableItWrites() throws SQLException {
        String t = n("t");
        String audit = n("audit");
        table(t, "id INT PRIMARY KEY");
        table(audit, "id INT, what VARCHAR(10)");
        create("DROP TRIGGER IF EXISTS " + n("trg"), "CREATE TRIGGER " + n("trg") + " AFTER INSERT ON " + t
                + " FOR EACH ROW INSERT INTO " + audit + " VALUES (NEW.id, 'ins')");
        String sql = "SELECT COUNT(*) FROM " + audit;
        String old = cache(sql);
        write("INSERT INTO " + t + " VALUES (1)");
        assertFresh(sql, old);
    }

    @Test
    void triggersChainTransitively() throws SQLException {
        String t = n("t");
        String u = n("u");
        String w = n("w");
        table(t, "id INT PRIMARY KEY");
        table(u, "id INT PRIMARY KEY");
        table(w, "id INT");
        create("DROP TRIGGER IF EXISTS " + n("tu"), "CREATE TRIGGER " + n("tu") + " AFTER INSERT ON " + t
                + " FOR EACH ROW INSERT INTO " + u + " VALUES (NEW.id)");
        create("DROP TRIGGER IF EXISTS " + n("uw"), "CREATE TRIGGER " + n("uw") + " AFTER INSERT ON " + u
                + " FOR EACH ROW INSERT INTO " + w + " VALUES (NEW.id * 10)");
        String sql = "SELECT COALESCE(SUM(id), 0) FROM " + w;
        String old = cache(sql);
        write("INSERT INTO " + t + " VALUES (7)");
        assertFresh(sql, old);
    }

    @Test
    void aBeginEndTriggerInvalidatesEverything() throws SQLException {
        String t = n("t");
        String audit = n("audit");
        table(t, "id INT PRIMARY KEY, v INT", "INSERT INTO " + t + " VALUES (1, 0)");
        table(audit, "id INT, what VARCHAR(10)");
        create("DROP TRIGGER IF EXISTS " + n("trg"), "CREATE TRIGGER " + n("trg") + " AFTER UPDATE ON " + t
                + " FOR EACH ROW BEGIN\n"
                + "  IF NEW.v <> OLD.v THEN\n"
                + "    INSERT INTO " + audit + " VALUES (NEW.id, 'changed');\n"
                + "  END IF;\n"
                + "END");
        String sql = "SELECT COUNT(*) FROM " + audit;
        String old = cache(sql);
        write("UPDATE " + t + " SET v = v + 1");
        assertFresh(sql, old);
    }

    @Test
    void aLoadDataFiresTriggersToo() throws SQLException, IOException {
        String t = n("t");
        String audit = n("audit");
        table(t, "id INT PRIMARY KEY, name VARCHAR(20)");
        table(audit, "id INT");
        create("DROP TRIGGER IF EXISTS " + n("trg"), "CREATE TRIGGER " + n("trg") + " AFTER INSERT ON " + t
                + " FOR EACH ROW INSERT INTO " + audit + " VALUES (NEW.id)");
        boolean localInfile = "1".equals(Db.one(direct, "SELECT @@global.local_infile"));
        Path csv = Files.createTempFile("sqlcache-load", ".csv");
        try {
            if (!localInfile) {
                Db.exec(direct, "SET GLOBAL local_infile = 1");
            }
            Files.writeString(csv, "1,one\n2,two\n", StandardCharsets.UTF_8);
            String table = "SELECT id, name FROM " + t + " ORDER BY id";
            String count = "SELECT COUNT(*) FROM " + audit;
            String oldTable = cache(table);
            String oldCount = cache(count);
            write("LOAD DATA LOCAL INFILE '" + csv.toString().replace("\\", "\\\\") + "' INTO TABLE " + t
                    + " FIELDS TERMINATED BY ','");
            assertFresh(table, oldTable);
            assertFresh(count, oldCount);
        } finally {
            Files.deleteIfExists(csv);
            if (!localInfile) {
                Db.exec(direct, "SET GLOBAL local_infile = 0");
            }
        }
    }

    // ---- cascading foreign keys ----

    @Test
    void onDeleteCascadeInvalidatesTheChild() throws SQLException {
        String p = n("p");
        String c = n("c");
        table(p, "id INT PRIMARY KEY", "INSERT INTO " + p + " VALUES (1), (2)");
        table(c, "id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES " + p + " (id) ON DELETE CASCADE",
                "INSERT INTO " + c + " VALUES (10, 1), (20, 2)");
        String sql = "SELECT id FROM " + c + " ORDER BY id";
        String old = cache(sql);
        write("DELETE FROM " + p + " WHERE id = 1");
        assertFresh(sql, old);
    }

    @Test
    void onUpdateSetNullInvalidatesTheChild() throws SQLException {
        String p = n("p");
        String c = n("c");
        table(p, "id INT PRIMARY KEY", "INSERT INTO " + p + " VALUES (1)");
        table(c, "id INT PRIMARY KEY, pid INT NULL, FOREIGN KEY (pid) REFERENCES " + p
                + " (id) ON UPDATE SET NULL ON DELETE RESTRICT", "INSERT INTO " + c + " VALUES (10, 1)");
        String sql = "SELECT id, pid FROM " + c;
        String old = cache(sql);
        write("UPDATE " + p + " SET id = 2 WHERE id = 1");
        assertFresh(sql, old);
    }

    @Test
    void cascadesFollowTwoLevels() throws SQLException {
        String p = n("p");
        String c = n("c");
        String g = n("g");
        table(p, "id INT PRIMARY KEY", "INSERT INTO " + p + " VALUES (1), (2)");
        table(c, "id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES " + p + " (id) ON DELETE CASCADE",
                "INSERT INTO " + c + " VALUES (10, 1), (20, 2)");
        table(g, "id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES " + c + " (id) ON DELETE CASCADE",
                "INSERT INTO " + g + " VALUES (100, 10), (200, 20)");
        String sql = "SELECT id FROM " + g + " ORDER BY id";
        String old = cache(sql);
        write("DELETE FROM " + p + " WHERE id = 1");
        assertFresh(sql, old);
    }

    // ---- routines, multi-statement text ----

    @Test
    void aCallOfAProcedureThatUpdatesATableInvalidatesIt() throws SQLException {
        String t = n("t");
        String proc = n("proc");
        table(t, "id INT PRIMARY KEY, v INT", "INSERT INTO " + t + " VALUES (1, 1)");
        create("DROP PROCEDURE IF EXISTS " + proc, "CREATE PROCEDURE " + proc + "() UPDATE " + t + " SET v = v + 1");
        String sql = "SELECT v FROM " + t;
        String old = cache(sql);
        write("CALL " + proc + "()");
        assertFresh(sql, old);
        old = cache(sql);
        try (var cs = writer.prepareCall("{call " + proc + "()}")) {
            cs.execute();
        }
        assertFresh(sql, old);
    }

    @Test
    void aSelectOfAStoredFunctionIsNeverCachedAndItsWritesInvalidate() throws SQLException {
        String t = n("t");
        String counter = n("counter");
        String fn = n("fn");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        table(counter, "n INT", "INSERT INTO " + counter + " VALUES (0)");
        create("DROP FUNCTION IF EXISTS " + fn, "CREATE FUNCTION " + fn + "(x INT) RETURNS INT MODIFIES SQL DATA "
                + "BEGIN UPDATE " + counter + " SET n = n + 1; RETURN x * 2; END");
        String sql = "SELECT n FROM " + counter;
        String old = cache(sql);
        String call = "SELECT " + fn + "(id) FROM " + t;
        assertThat(rows(writer, call)).isEqualTo("2");
        assertThat(rows(app, call)).isEqualTo("2");
        assertThat(lastOutcome).startsWith("bypass");
        assertFresh(sql, old);
    }

    @Test
    void aMultiStatementTextInvalidatesEveryTableItWrites() throws SQLException {
        String t = n("t");
        String u = n("u");
        table(t, "id INT PRIMARY KEY, v INT", "INSERT INTO " + t + " VALUES (1, 1)");
        table(u, "id INT PRIMARY KEY, v INT", "INSERT INTO " + u + " VALUES (1, 1)");
        String st = "SELECT v FROM " + t;
        String su = "SELECT v FROM " + u;
        String oldT = cache(st);
        String oldU = cache(su);
        write("UPDATE " + t + " SET v = 2; UPDATE " + u + " SET v = 3");
        assertFresh(st, oldT);
        assertFresh(su, oldU);
    }

    // ---- DDL ----

    @Test
    void alterTableInvalidatesReadsOfTheTable() throws SQLException {
        String t = n("t");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        String sql = "SELECT * FROM " + t;
        String old = cache(sql);
        write("ALTER TABLE " + t + " ADD COLUMN extra VARCHAR(5) NOT NULL DEFAULT 'x'");
        assertFresh(sql, old);
    }

    @Test
    void dropAndCreateInvalidateReadsOfTheTable() throws SQLException {
        String t = n("t");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        String sql = "SELECT id FROM " + t;
        String old = cache(sql);
        write("DROP TABLE " + t, "CREATE TABLE " + t + " (id INT PRIMARY KEY)", "INSERT INTO " + t + " VALUES (2)");
        assertFresh(sql, old);
    }

    @Test
    void renameTableInvalidatesBothNames() throws SQLException {
        String t = n("t");
        String other = n("other");
        String old = n("old");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        table(other, "id INT PRIMARY KEY", "INSERT INTO " + other + " VALUES (2)");
        cleanup.push("DROP TABLE IF EXISTS " + old);
        String sql = "SELECT id FROM " + t;
        String before = cache(sql);
        write("RENAME TABLE " + t + " TO " + old + ", " + other + " TO " + t);
        assertFresh(sql, before);
    }

    @Test
    void truncateInvalidatesTheTable() throws SQLException {
        String t = n("t");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1), (2)");
        String sql = "SELECT COUNT(*) FROM " + t;
        String old = cache(sql);
        write("TRUNCATE TABLE " + t);
        assertFresh(sql, old);
    }

    @Test
    void createTableSelectInvalidatesTheNewTable() throws SQLException {
        String t = n("t");
        String src = n("src");
        table(t, "id INT PRIMARY KEY", "INSERT INTO " + t + " VALUES (1)");
        table(src, "id INT PRIMARY KEY", "INSERT INTO " + src + " VALUES (5), (6)");
        String sql = "SELECT id FROM " + t + " ORDER BY id";
        String old = cache(sql);
        write("CREATE OR REPLACE TABLE " + t + " AS SELECT id FROM " + src);
        assertFresh(sql, old);
    }

    @Test
    void createTriggerThroughSqlcacheIsFollowedByTheNextWrite() throws SQLException {
        String t = n("t");
        String audit = n("audit");
        table(t, "id INT PRIMARY KEY");
        table(audit, "id INT");
        String sql = "SELECT COUNT(*) FROM " + audit;
        // the model of this schema is loaded now, without the trigger
        String old = cache(sql);
        cleanup.push("DROP TRIGGER IF EXISTS " + n("trg"));
        write("CREATE TRIGGER " + n("trg") + " AFTER INSERT ON " + t + " FOR EACH ROW INSERT INTO " + audit
                + " VALUES (NEW.id)");
        old = cache(sql);
        write("INSERT INTO " + t + " VALUES (1)");
        assertFresh(sql, old);
    }
}
