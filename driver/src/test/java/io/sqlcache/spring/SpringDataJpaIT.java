package io.sqlcache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheDriver;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot application (Spring Data JPA, Hibernate, HikariCP, {@code @Transactional}
 * services) whose only change is its JDBC URL. Its read-only service calls, each a REPEATABLE READ
 * transaction, are served from the cache the second time; its writes are seen by the next read.
 * Against the real MariaDB and Redis; one application context for the class.
 *
 * <p>Hits are counted twice: by the cache's own counters, and by the server's {@code Com_select}
 * of the pool's only session, read on the real connection under the wrapper. The pool has one
 * connection, so that session is the one every service call used. A hit still costs the
 * transaction's own statements on that session (on MariaDB: {@code SET autocommit=0},
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}, {@code COMMIT}, {@code SET autocommit=1});
 * only the SELECT is saved.
 */
class SpringDataJpaIT {

    private static String table;
    private static ConfigurableApplicationContext app;
    private static OwnerService service;
    private static DataSource dataSource;

    @BeforeAll
    static void startApplication() throws SQLException {
        TestEnv.requireRedis();
        table = Db.uniqueTable("spring_owner");
        try (Connection c = TestEnv.mysql()) {
            // ids fixed so that each test works on rows no other test reads or writes
            Db.exec(c, "CREATE TABLE " + table + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL)"
                    + " ENGINE=InnoDB",
                    "INSERT INTO " + table + " (id, name) VALUES (1, 'alice'), (2, 'bob'), (3, 'dora'), (4, 'dora')");
        }
        app = new SpringApplicationBuilder(OwnerApp.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(Map.of(
                        "spring.datasource.url", TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL
                                + "&sqlcache.prefix=" + Db.uniquePrefix()),
                        "spring.datasource.driver-class-name", SqlCacheDriver.class.getName(),
                        "spring.datasource.hikari.maximum-pool-size", "1",
                        "spring.jpa.hibernate.ddl-auto", "none",
                        OwnerApp.TABLE_PROPERTY, table))
                .run();
        service = app.getBean(OwnerService.class);
        dataSource = app.getBean(DataSource.class);
    }

    @AfterAll
    static void stopApplication() throws SQLException {
        if (app != null) {
            app.close();
        }
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    /** The cache's hits and the server's SELECTs so far, read between service calls. */
    private record Counts(long hits, long serverSelects) {

        static Counts now() throws SQLException {
            try (Connection c = dataSource.getConnection()) {
                return new Counts(c.unwrap(SqlCacheConnection.class).cacheStats().hits(), Db.comSelect(c));
            }
        }

        Counts since(Counts before) {
            return new Counts(hits - before.hits, serverSelects - before.serverSelects);
        }
    }

    @Test
    void theApplicationRunsOnTheDriverAndTheServersIsolationIsUntouched() throws SQLException {
        assertThat(dataSource.getClass().getName()).isEqualTo("com.zaxxer.hikari.HikariDataSource");
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.isWrapperFor(SqlCacheConnection.class)).isTrue();
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
            // asked of the server, not of the driver's state: tx_isolation (MariaDB), transaction_isolation (MySQL 8)
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SHOW SESSION VARIABLES WHERE Variable_name IN ('tx_isolation', 'transaction_isolation')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("REPEATABLE-READ");
            }
        }
    }

    @Test
    void aRepeatedReadOnlyFindByIdIsServedFromTheCache() throws SQLException {
        Counts start = Counts.now();
        assertThat(service.nameOf(1)).contains("alice");
        Counts first = Counts.now();
        assertThat(first.since(start)).as("the first find reads the server").isEqualTo(new Counts(0, 1));

        assertThat(service.nameOf(1)).contains("alice");
        assertThat(Counts.now().since(first)).as("the second find is a hit; nothing reaches the server")
                .isEqualTo(new Counts(1, 0));
    }

    @Test
    void aRepeatedFindAllAndDerivedQueryAreServedFromTheCache() throws SQLException {
        service.allNames();
        service.idsNamed("dora");
        Counts filled = Counts.now();
        assertThat(service.allNames()).startsWith("alice").contains("dora");
        assertThat(service.idsNamed("dora")).containsExactly(3L, 4L);
        assertThat(Counts.now().since(filled)).isEqualTo(new Counts(2, 0));
    }

    @Test
    void aRenameThroughTheServiceIsSeenByTheNextReadOnlyFind() throws SQLException {
        assertThat(service.nameOf(2)).contains("bob");
        Counts filled = Counts.now();
        assertThat(service.nameOf(2)).contains("bob");
        assertThat(Counts.now().since(filled).hits()).as("the entry the rename must invalidate is served").isEqualTo(1);

        service.rename(2, "bobby");
        Counts renamed = Counts.now();
        assertThat(service.nameOf(2)).contains("bobby");
        assertThat(Counts.now().since(renamed)).as("read from the server after the write").isEqualTo(new Counts(0, 1));
        assertThat(service.nameOf(2)).contains("bobby");
        try (Connection c = TestEnv.mysql()) {
            assertThat(Db.one(c, "SELECT name FROM " + table + " WHERE id = 2")).isEqualTo("bobby");
        }
    }

    @Test
    void anOwnerAddedThroughTheServiceIsFoundByTheNextQuery() throws SQLException {
        assertThat(service.idsNamed("carol")).isEmpty();
        Counts filled = Counts.now();
        assertThat(service.idsNamed("carol")).isEmpty();
        assertThat(Counts.now().since(filled).hits()).as("the empty answer is served").isEqualTo(1);

        long id = service.add("carol");
        assertThat(service.idsNamed("carol")).containsExactly(id);
        assertThat(service.nameOf(id)).contains("carol");
    }
}
