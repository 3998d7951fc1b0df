package io.sqlcache.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlAnalyzerTest {

    /**
     * One case per line: kind | tables read | tables written | writesUnknown | reason | sql.
     * Tables are comma-separated ("-" for none). Reason: "cacheable" for a cacheable READ,
     * "*" to skip the check, else a substring of bypassReason.
     */
    private static final String CASES = """
            READ | - | - | N | cacheable | SELECT 1
            READ | - | - | N | cacheable | SELECT 1 FROM DUAL
            READ | - | - | N | cacheable | select 1 + 2 as three
            READ | t | - | N | cacheable | SELECT * FROM t
            READ | t | - | N | cacheable | SELECT * FROM t;
            READ | t | - | N | cacheable | SELECT a FROM t WHERE b = ? AND c IN (?, ?)
            READ | users | - | N | cacheable | SeLeCt * FrOm UsErS
            READ | shop.users | - | N | cacheable | SELECT * FROM Shop.Users
            READ | sch.tbl | - | N | cacheable | SELECT `a`.`b` FROM `Sch`.`Tbl` `a`
            READ | my table | - | N | cacheable | SELECT * FROM `my table`
            WRITE | - | - | Y | back quote inside | SELECT * FROM `we``ird`
            READ | a,b | - | N | cacheable | SELECT * FROM a JOIN b ON a.id = b.id
            READ | a,b | - | N | cacheable | SELECT * FROM a INNER JOIN b ON a.id = b.id
            READ | a,b | - | N | cacheable | SELECT * FROM a LEFT JOIN b ON a.id = b.id
            READ | a,b | - | N | cacheable | SELECT * FROM a LEFT OUTER JOIN b USING (id)
            READ | a,b | - | N | cacheable | SELECT * FROM a RIGHT JOIN b ON a.id = b.id
            READ | a,b | - | N | cacheable | SELECT * FROM a CROSS JOIN b
            READ | a,b | - | N | cacheable | SELECT * FROM a NATURAL JOIN b
            READ | a,b | - | N | cacheable | SELECT * FROM a STRAIGHT_JOIN b ON a.x = b.x
            READ | a,b,c | - | N | cacheable | SELECT * FROM a, b, c WHERE a.x = b.y AND b.y = c.z
            READ | t1,t2,t3 | - | N | cacheable | SELECT * FROM t1 JOIN (t2 JOIN t3 ON t2.a = t3.a) ON t1.a = t2.a
            READ | t1,t2,t3,t4,t5 | - | N | cacheable | SELECT * FROM t1 JOIN t2 USING (a) LEFT JOIN t3 ON 1 RIGHT OUTER JOIN t4 ON 1 CROSS JOIN t5
            READ | t,u | - | N | cacheable | SELECT * FROM t WHERE a IN (SELECT b FROM u)
            READ | t,u | - | N | cacheable | SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a)
            READ | t,u | - | N | cacheable | SELECT a, (SELECT MAX(b) FROM u WHERE u.a = t.a) AS m FROM t
            READ | t,u | - | N | cacheable | SELECT a FROM t GROUP BY a HAVING COUNT(*) > (SELECT COUNT(*) FROM u)
            READ | t,u | - | N | cacheable | SELECT a FROM t ORDER BY (SELECT b FROM u LIMIT 1)
            READ | t,u | - | N | cacheable | SELECT * FROM t WHERE a = ANY (SELECT b FROM u)
            READ | t,u | - | N | cacheable | SELECT * FROM t WHERE a > ALL (SELECT b FROM u)
            READ | t,u | - | N | cacheable | SELECT CASE WHEN a > (SELECT MIN(b) FROM u) THEN 1 ELSE 0 END FROM t
            READ | t,u,v | - | N | cacheable | SELECT * FROM t JOIN u ON u.id = (SELECT MAX(id) FROM v)
            READ | t | - | N | cacheable | SELECT * FROM (SELECT * FROM t) AS d
            READ | t,u | - | N | cacheable | SELECT d.a FROM (SELECT a FROM t) d JOIN (SELECT a FROM u) e ON d.a = e.a
            READ | t,u | - | N | cacheable | SELECT * FROM (SELECT * FROM t) AS d JOIN LATERAL (SELECT * FROM u WHERE u.a = d.a) AS l ON TRUE
            READ | t,u | - | N | cacheable | SELECT * FROM (SELECT * FROM (SELECT * FROM t WHERE x IN (SELECT x FROM u)) a) b
            READ | accounts | - | N | cacheable | WITH users AS (SELECT * FROM accounts) SELECT * FROM users
            READ | t | - | N | cacheable | WITH t AS (SELECT * FROM t) SELECT * FROM t
            READ | c | - | N | cacheable | WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b, a, c
            READ | - | - | N | cacheable | WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c
            READ | emp | - | N | cacheable | WITH RECURSIVE tree AS (SELECT id FROM emp WHERE boss IS NULL UNION ALL SELECT e.id FROM emp e JOIN tree ON e.boss = tree.id) SELECT * FROM tree
            READ | users | - | N | cacheable | SELECT * FROM users WHERE id IN (WITH users AS (SELECT 1 AS id) SELECT id FROM users)
            READ | x,y | - | N | cacheable | WITH q AS (SELECT * FROM x) SELECT * FROM q WHERE EXISTS (SELECT 1 FROM y WHERE y.id = q.id)
            READ | t,u | - | N | cacheable | SELECT a FROM t UNION SELECT a FROM u
            READ | t,u | - | N | cacheable | SELECT a FROM t UNION ALL SELECT a FROM u
            READ | t,u | - | N | cacheable | (SELECT a FROM t) UNION (SELECT b FROM u) ORDER BY 1
            READ | t1,t2 | - | N | cacheable | SELECT * FROM t1 INTERSECT SELECT * FROM t2
            READ | t1,t2 | - | N | cacheable | SELECT * FROM t1 EXCEPT SELECT * FROM t2
            READ | t | - | N | cacheable | (SELECT * FROM t)
            READ | - | - | N | cacheable | VALUES (1, 2), (3, 4)
            READ | - | - | N | cacheable | VALUES ROW(1, 2), ROW(3, 4)
            READ | s.t | - | N | cacheable | TABLE s.t
            READ | t | - | N | cacheable | SELECT COUNT(*), COUNT(DISTINCT a), SUM(a), AVG(a), MIN(a), MAX(a) FROM t
            READ | t | - | N | cacheable | SELECT GROUP_CONCAT(a ORDER BY a SEPARATOR ',') FROM t GROUP BY b
            READ | t | - | N | cacheable | SELECT CONCAT(a, 'x'), LOWER(a), UPPER(b), SUBSTRING(a, 1, 2), LENGTH(a), TRIM(a), REPLACE(a, 'x', 'y') FROM t
            READ | t | - | N | cacheable | SELECT POSITION('a' IN b), TRIM(BOTH 'x' FROM a), SUBSTRING(a FROM 1 FOR 2) FROM t
            READ | t | - | N | cacheable | SELECT ABS(a), ROUND(a, 2), FLOOR(a), CEIL(a), MOD(a, 2), POW(a, 2), GREATEST(a, b), LEAST(a, b) FROM t
            READ | t | - | N | cacheable | SELECT IF(a, 1, 2), IFNULL(a, 1), NULLIF(a, 0), COALESCE(a, b, 0) FROM t
            READ | t | - | N | cacheable | SELECT CAST(a AS CHAR), CONVERT(a, CHAR), CONVERT(a USING utf8mb4), CAST(a AS DECIMAL(10, 2)) FROM t
            READ | t | - | N | cacheable | SELECT DATE(d), DATE_FORMAT(d, '%W %Y'), YEAR(d), DATE_ADD(d, INTERVAL 1 DAY), d + INTERVAL 1 DAY, DATEDIFF(a, b) FROM t
            READ | t | - | N | cacheable | SELECT EXTRACT(YEAR FROM d), TIMESTAMPDIFF(DAY, a, b), STR_TO_DATE(s, '%Y-%m-%d') FROM t
            READ | t | - | N | cacheable | SELECT JSON_EXTRACT(j, '$.a'), j->'$.a', j->>'$.a', JSON_OBJECT('a', 1), JSON_ARRAY(1, 2) FROM t
            READ | t | - | N | cacheable | SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b), RANK() OVER w, LAG(a, 1) OVER w FROM t WINDOW w AS (ORDER BY a)
            READ | t | - | N | cacheable | SELECT MD5(a), SHA2(a, 256), HEX(a), CRC32(a) FROM t
            READ | t | - | N | cacheable | SELECT * FROM t WHERE MATCH(a) AGAINST ('x' IN BOOLEAN MODE)
            READ | t | - | N | cacheable | SELECT * FROM t USE INDEX (i) WHERE a LIKE 'x%' ORDER BY a DESC LIMIT 10 OFFSET 5
            READ | t | - | N | cacheable | SELECT HIGH_PRIORITY DISTINCT a FROM t
            READ | t | - | N | cacheable | SELECT SQL_BIG_RESULT SQL_BUFFER_RESULT a FROM t GROUP BY a
            READ | t | - | N | cacheable | SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t
            READ | t | - | N | cacheable | SELECT * FROM t /* a comment that stays in the key */
            READ | t | - | N | cacheable | SELECT * FROM t # hash comment
            READ | t | - | N | cacheable | SELECT * FROM t -- dash comment
            READ | t | - | N | cacheable | SELECT 1--1 FROM t
            READ | t | - | N | cacheable | SELECT * FROM t WHERE name = 'O\\'Brien'
            READ | t | - | N | cacheable | SELECT * FROM t WHERE a = '-- not a comment' AND b = '/* nor this */'
            READ | users | - | N | cacheable | SELECT * FROM "users"
            READ | t | - | N | FOR UPDATE | SELECT * FROM t FOR UPDATE
            READ | t | - | N | FOR UPDATE | SELECT * FROM t WHERE id = 1 FOR UPDATE SKIP LOCKED
            READ | t | - | N | FOR SHARE | SELECT * FROM t FOR SHARE
            READ | t | - | N | LOCK IN SHARE MODE | SELECT * FROM t LOCK IN SHARE MODE
            READ | - | - | Y | SELECT … INTO | SELECT a INTO @x FROM t
            READ | - | - | Y | SELECT … INTO | SELECT a FROM t INTO @x
            READ | - | - | Y | SELECT … INTO | SELECT * INTO OUTFILE '/tmp/x' FROM t
            READ | - | - | Y | SELECT … INTO | SELECT * FROM t INTO DUMPFILE '/tmp/x'
            READ | t | - | N | SQL_NO_CACHE | SELECT SQL_NO_CACHE * FROM t
            READ | t | - | N | SQL_CALC_FOUND_ROWS | SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10
            READ | t | - | N | SQL_NO_CACHE | SELECT SQL_NO_CACHE SQL_CALC_FOUND_ROWS * FROM t
            READ | t | - | N | non-deterministic function NOW | SELECT * FROM t WHERE d > NOW()
            READ | - | - | N | non-deterministic function CURRENT_TIMESTAMP | SELECT CURRENT_TIMESTAMP
            READ | - | - | N | non-deterministic function CURRENT_TIMESTAMP | SELECT CURRENT_TIMESTAMP()
            READ | - | - | N | non-deterministic function CURRENT_DATE | SELECT CURRENT_DATE
            READ | - | - | N | non-deterministic function CURRENT_TIME | SELECT CURRENT_TIME
            READ | - | - | N | non-deterministic function LOCALTIME | SELECT LOCALTIME
            READ | - | - | N | non-deterministic function LOCALTIMESTAMP | SELECT LOCALTIMESTAMP
            READ | - | - | N | non-deterministic function CURRENT_USER | SELECT CURRENT_USER
            READ | - | - | N | non-deterministic function UTC_TIMESTAMP | SELECT UTC_TIMESTAMP
            READ | - | - | N | non-deterministic function UTC_DATE | SELECT UTC_DATE()
            READ | t | - | N | non-deterministic function CURDATE | SELECT * FROM t WHERE d = CURDATE()
            READ | - | - | N | non-deterministic function SYSDATE | SELECT SYSDATE()
            READ | - | - | N | non-deterministic function UNIX_TIMESTAMP | SELECT UNIX_TIMESTAMP()
            READ | t | - | N | non-deterministic function RAND | SELECT * FROM t ORDER BY RAND() LIMIT 1
            READ | - | - | N | non-deterministic function UUID | SELECT UUID()
            READ | - | - | N | non-deterministic function UUID_SHORT | SELECT UUID_SHORT()
            READ | - | - | N | non-deterministic function CONNECTION_ID | SELECT CONNECTION_ID()
            READ | - | - | N | non-deterministic function LAST_INSERT_ID | SELECT LAST_INSERT_ID()
            READ | - | - | N | non-deterministic function FOUND_ROWS | SELECT FOUND_ROWS()
            READ | - | - | N | non-deterministic function ROW_COUNT | SELECT ROW_COUNT()
            READ | - | - | N | non-deterministic function USER | SELECT USER()
            READ | - | - | N | non-deterministic function DATABASE | SELECT DATABASE()
            READ | - | - | N | non-deterministic function GET_LOCK | SELECT GET_LOCK('x', 1)
            READ | - | - | N | non-deterministic function SLEEP | SELECT SLEEP(1)
            READ | - | - | N | non-deterministic function BENCHMARK | SELECT BENCHMARK(10, MD5('a'))
            READ | - | - | N | non-deterministic function NEXTVAL | SELECT NEXTVAL(s)
            READ | - | - | N | sequence | SELECT NEXT VALUE FOR s
            READ | t | - | N | non-deterministic function CONVERT_TZ | SELECT CONVERT_TZ(d, 'UTC', 'Europe/Paris') FROM t
            READ | t | - | N | non-deterministic function NOW | SELECT {fn NOW()} FROM t
            READ | t | - | Y | unknown or stored function my_func | SELECT my_func(a) FROM t
            READ | t | - | Y | unknown or stored function sch.f | SELECT sch.f(a) FROM t
            READ | t,u | - | Y | unknown or stored function calc | SELECT * FROM t WHERE a IN (SELECT calc(b) FROM u)
            READ | t | - | N | user variable @x | SELECT * FROM t WHERE a = @x
            READ | - | - | N | user variable @n | SELECT @n := @n + 1
            READ | - | - | N | system variable @@sql_mode | SELECT @@sql_mode
            READ | t | - | N | system variable @@session.time_zone | SELECT a FROM t WHERE b = @@session.time_zone
            READ | information_schema.tables | - | N | system schema information_schema | SELECT * FROM information_schema.tables
            READ | performance_schema.x | - | N | system schema performance_schema | SELECT * FROM `Performance_Schema`.x
            READ | mysql.user | - | N | system schema mysql | SELECT user FROM mysql.user
            READ | t,sys.y | - | N | system schema sys | SELECT * FROM t WHERE a IN (SELECT b FROM sys.y)
            READ | - | - | N | sqlcache:skip hint | SELECT /* sqlcache:skip */ 1
            READ | t | - | N | cacheable | SELECT /* sqlcache:ttl=30 */ * FROM t
            READ | - | - | N | invalid sqlcache hint | SELECT /* sqlcache:ttl=abc */ 1
            READ | - | - | N | invalid sqlcache hint | SELECT /* sqlcache:ttl=0 */ 1
            READ | - | - | N | invalid sqlcache hint | SELECT /* sqlcache:ttl=-1 */ 1
            READ | - | - | N | invalid sqlcache hint | SELECT /* sqlcache:ttl=99999999999 */ 1
            READ | - | - | N | invalid sqlcache hint | SELECT /* sqlcache:bogus */ 1
            READ | users | - | N | NO_BACKSLASH_ESCAPES | SELECT name FROM users WHERE name = 'O\\'Brien' OR nick = 'D\\'Arcy'
            WRITE | - | t | N | * | INSERT INTO t (a) VALUES (1)
            WRITE | - | shop.t | N | * | INSERT INTO Shop.T (a) VALUES (1), (2)
            WRITE | - | t | N | * | INSERT INTO t SET a = 1
            WRITE | - | t | N | * | INSERT INTO t SELECT * FROM u
            WRITE | - | t | N | * | INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = a + 1
            WRITE | - | t | N | * | INSERT IGNORE INTO t (a) VALUES (NOW())
            WRITE | - | t | Y | * | INSERT INTO t VALUES (my_func(1))
            WRITE | - | t | N | * | REPLACE INTO t VALUES (1)
            WRITE | - | t | N | * | REPLACE INTO t SET a = 1
            WRITE | - | t | N | * | UPDATE t SET a = 1 WHERE id = 2
            WRITE | - | t | N | * | UPDATE t SET a = (SELECT MAX(b) FROM u)
            WRITE | - | a,b | N | * | UPDATE a JOIN b ON a.id = b.id SET a.x = b.y
            WRITE | - | a,b | N | * | UPDATE a, b SET a.x = b.y WHERE a.id = b.id
            WRITE | - | t | N | * | DELETE FROM t WHERE id = 1
            WRITE | - | t | N | * | DELETE FROM t WHERE a IN (SELECT b FROM u)
            WRITE | - | a,b | N | * | DELETE a, b FROM a JOIN b ON a.id = b.id
            WRITE | - | users,orders | N | * | DELETE x FROM users x JOIN orders o ON o.uid = x.id
            WRITE | - | t | N | LOAD DATA | LOAD DATA LOCAL INFILE '/x' INTO TABLE t
            WRITE | - | db.t | N | LOAD DATA | LOAD DATA INFILE '/x' REPLACE INTO TABLE `db`.`t` FIELDS TERMINATED BY ','
            WRITE | - | - | Y | LOAD DATA | LOAD DATA INFILE '/x'
            WRITE | - | - | Y | CALL | CALL p(1)
            WRITE | - | - | Y | DO | DO SLEEP(1)
            WRITE | - | - | Y | multiple statements | SELECT 1; SELECT 2
            WRITE | - | - | Y | multiple statements | UPDATE t SET a = 1; DELETE FROM u
            WRITE | - | - | Y | executable comment | SELECT 1 /*!50000 , NOW() */
            WRITE | - | - | Y | unparseable | this is not sql
            WRITE | - | - | Y | unparseable | SELECT FROM WHERE
            WRITE | - | - | Y | written tables unknown | DELETE FROM
            WRITE | - | - | Y | unparseable | SELECT 'unterminated
            WRITE | - | - | Y | unparseable | SELECT 1 /* unterminated
            WRITE | - | - | Y | unparseable | )))(((
            DDL | - | t | N | * | CREATE TABLE t (id INT PRIMARY KEY)
            DDL | - | s.t | N | * | CREATE TABLE IF NOT EXISTS s.t (a INT)
            DDL | - | t2 | N | * | CREATE TABLE t2 AS SELECT * FROM t
            DDL | - | t2 | N | * | CREATE TABLE t2 LIKE t1
            DDL | - | tmp | N | * | CREATE TEMPORARY TABLE tmp (id INT)
            DDL | - | t | N | * | ALTER TABLE t ADD COLUMN c INT
            DDL | - | a,b | N | * | ALTER TABLE a RENAME TO b
            DDL | - | t | N | * | DROP TABLE t
            DDL | - | a,b.c | N | * | DROP TABLE a, b.c
            DDL | - | a,b | N | * | DROP TABLE IF EXISTS `a`, `b` CASCADE
            DDL | - | tmp | N | * | DROP TEMPORARY TABLE IF EXISTS tmp
            DDL | - | a,b,c,d | N | * | RENAME TABLE a TO b, c TO d
            DDL | - | t | N | * | TRUNCATE TABLE t
            DDL | - | t | N | * | TRUNCATE t
            DDL | - | v | N | * | CREATE VIEW v AS SELECT * FROM t
            DDL | - | v | N | * | CREATE OR REPLACE VIEW v AS SELECT * FROM t
            DDL | - | v | N | * | ALTER VIEW v AS SELECT * FROM t
            DDL | - | v | N | * | DROP VIEW v
            DDL | - | t | N | * | CREATE INDEX i ON t (a)
            DDL | - | t | N | * | DROP INDEX i ON t
            DDL | - | s.t | N | * | DROP INDEX i ON s.t
            DDL | - | - | Y | * | CREATE DATABASE d
            DDL | - | - | Y | * | DROP SCHEMA d
            DDL | - | - | Y | * | CREATE PROCEDURE p() BEGIN SELECT 1; END
            DDL | - | - | Y | * | DROP PROCEDURE p
            DDL | - | - | Y | * | DROP FUNCTION f
            DDL | - | - | Y | * | CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1
            DDL | - | - | Y | * | DROP TRIGGER tr
            DDL | - | - | Y | * | REPAIR TABLE t
            DDL | - | - | Y | * | GRANT SELECT ON db.* TO 'u'@'%'
            DDL | - | - | Y | * | GRANT SELECT ON t TO u
            DDL | - | - | Y | * | REVOKE SELECT ON db.* FROM 'u'@'%'
            BEGIN | - | - | N | * | BEGIN
            BEGIN | - | - | N | * | begin work
            BEGIN | - | - | N | * | START TRANSACTION
            BEGIN | - | - | N | * | START TRANSACTION READ ONLY
            BEGIN | - | - | N | * | START TRANSACTION WITH CONSISTENT SNAPSHOT
            COMMIT | - | - | N | * | COMMIT
            COMMIT | - | - | N | * | COMMIT WORK
            ROLLBACK | - | - | N | * | ROLLBACK
            ROLLBACK | - | - | N | * | ROLLBACK WORK
            OTHER | - | - | N | * | ROLLBACK TO SAVEPOINT s
            OTHER | - | - | N | * | ROLLBACK TO s
            OTHER | - | - | N | * | SAVEPOINT s
            OTHER | - | - | N | * | RELEASE SAVEPOINT s
            SET | - | - | N | * | SET autocommit=0
            SET | - | - | N | * | SET NAMES utf8mb4
            SET | - | - | N | * | SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'
            SET | - | - | N | * | SET time_zone = '+00:00'
            SET | - | - | N | * | SET SESSION sql_mode = 'ANSI'
            SET | - | - | N | * | SET @x = 1
            SET | - | - | Y | * | SET @x = my_func(1)
            SET | - | - | N | * | SET TRANSACTION ISOLATION LEVEL READ COMMITTED
            SET | - | - | N | * | SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE
            OTHER | - | - | N | * | SHOW TABLES
            OTHER | - | - | N | * | SHOW CREATE TABLE t
            OTHER | - | - | N | * | EXPLAIN SELECT * FROM t
            OTHER | - | - | N | * | DESCRIBE t
            OTHER | - | - | N | * | DESC t
            OTHER | - | - | N | * | HELP 'select'
            OTHER | - | - | N | * | KILL 5
            OTHER | - | - | N | * | FLUSH TABLES
            OTHER | - | - | N | * | LOCK TABLES t READ
            OTHER | - | - | N | * | UNLOCK TABLES
            OTHER | - | - | N | * | OPTIMIZE TABLE t
            OTHER | - | - | N | * | ANALYZE TABLE t
            OTHER | - | - | N | * | HANDLER t OPEN
            OTHER | - | - | N | empty | /* just a comment */
            OTHER | - | - | N | empty | -- only a comment
            """;

    record Case(StatementKind kind, Set<TableName> read, Set<TableName> written, boolean writesUnknown,
            String reason, String sql) {
        @Override
        public String toString() {
            return sql;
        }
    }

    static Stream<Case> cases() {
        return CASES.lines().filter(l -> !l.isBlank()).map(line -> {
            String[] f = line.split(" \\| ", 6);
            return new Case(StatementKind.valueOf(f[0].trim()), tables(f[1]), tables(f[2]),
                    f[3].trim().equals("Y"), f[4].trim(), f[5]);
        });
    }

    private static Set<TableName> tables(String list) {
        if (list.trim().equals("-")) {
            return Set.of();
        }
        return Arrays.stream(list.trim().split(",")).map(s -> {
            int dot = s.indexOf('.');
            return dot < 0 ? TableName.of(s) : TableName.of(s.substring(0, dot), s.substring(dot + 1));
        }).collect(Collectors.toSet());
    }

    private final SqlAnalyzer analyzer = new SqlAnalyzer(1000);

    @Test
    void theTableIsLargeEnough() {
        assertThat(cases().count()).isGreaterThanOrEqualTo(120);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void classifies(Case c) {
        SqlAnalysis a = analyzer.analyze(c.sql());
        assertThat(a.kind()).as("kind").isEqualTo(c.kind());
        assertThat(a.tablesRead()).as("tables read").isEqualTo(c.read());
        assertThat(a.tablesWritten()).as("tables written").isEqualTo(c.written());
        assertThat(a.writesUnknown()).as("writesUnknown").isEqualTo(c.writesUnknown());
        if (c.reason().equals("cacheable")) {
            assertThat(a.bypassReason()).as("bypass reason").isNull();
            assertThat(a.cacheable()).isTrue();
        } else {
            assertThat(a.cacheable()).as("cacheable").isFalse();
            assertThat(a.bypassReason()).as("bypass reason").isNotNull();
            if (!c.reason().equals("*")) {
                assertThat(a.bypassReason()).as("bypass reason").contains(c.reason());
            }
        }
        if (a.kind() != StatementKind.READ) {
            assertThat(a.tablesRead()).isEmpty();
        }
    }

    @Test
    void hintsAreRemovedFromTheKeyTextAndOtherCommentsStay() {
        SqlAnalysis a = analyzer.analyze("  SELECT /* sqlcache:ttl=60 */ * FROM t /* keep */ ;  ");
        assertThat(a.ttlSeconds()).isEqualTo(60);
        assertThat(a.cacheText()).isEqualTo("SELECT  * FROM t /* keep */ ;");
        assertThat(analyzer.analyze("SELECT/* sqlcache:skip */1").cacheText()).isEqualTo("SELECT 1");
        assertThat(analyzer.analyze("SELECT 1").ttlSeconds()).isNull();
    }

    @Test
    void hintLookalikesInsideStringsAreData() {
        SqlAnalysis a = analyzer.analyze("SELECT '/* sqlcache:skip */' FROM t");
        assertThat(a.cacheable()).isTrue();
        assertThat(a.cacheText()).isEqualTo("SELECT '/* sqlcache:skip */' FROM t");
    }

    @Test
    void useNamesTheSchemaLowercased() {
        assertThat(analyzer.analyze("USE Shop").useSchema()).isEqualTo("shop");
        SqlAnalysis quoted = analyzer.analyze("USE `My Db`");
        assertThat(quoted.kind()).isEqualTo(StatementKind.USE);
        assertThat(quoted.useSchema()).isEqualTo("my db");
        assertThat(quoted.bypassReason()).isNotNull();
    }

    @Test
    void temporaryTablesAreNamed() {
        assertThat(analyzer.analyze("CREATE TEMPORARY TABLE Tmp (id INT)").temporaryTable())
                .isEqualTo(TableName.of("tmp"));
        assertThat(analyzer.analyze("DROP TEMPORARY TABLE IF EXISTS s.tmp").temporaryTable())
                .isEqualTo(TableName.of("s", "tmp"));
        assertThat(analyzer.analyze("CREATE TABLE t (id INT)").temporaryTable()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   \n\t  ", ";", "/* */", "-- x\n", "# x"})
    void emptyTextsAreNotCacheable(String sql) {
        SqlAnalysis a = analyzer.analyze(sql);
        assertThat(a.cacheable()).isFalse();
        assertThat(a.writesUnknown()).isFalse();
        assertThat(a.bypassReason()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000\u0001", "'", "\"", "`", "/*", "SELECT `", "((((((((((", "SELECT * FROM t WHERE",
            "💥 SELECT", "SELECT 1 /*! unterminated", "INSERT INTO", "DROP TABLE", "LOAD DATA INFILE 'x' INTO TABLE"})
    void garbageNeverThrowsAndIsTreatedAsAnUnknownWrite(String sql) {
        SqlAnalysis a = analyzer.analyze(sql);
        assertThat(a).isNotNull();
        assertThat(a.cacheable()).isFalse();
        assertThat(a.writes()).isTrue();
        assertThat(a.writesUnknown()).isTrue();
    }

    @Test
    void aHundredKilobyteStatementIsAnalysed() {
        StringBuilder sql = new StringBuilder("SELECT * FROM big WHERE id IN (0");
        for (int i = 1; sql.length() < 100 * 1024; i++) {
            sql.append(", ").append(i);
        }
        sql.append(") AND name IN (SELECT name FROM other)");
        // the property is "analysed correctly", not "fast": a loaded CI machine must not turn it into a timeout
        SqlAnalysis a = new SqlAnalyzer(10, 120_000).analyze(sql.toString());
        assertThat(a.cacheable()).isTrue();
        assertThat(a.tablesRead()).containsExactlyInAnyOrder(TableName.of("big"), TableName.of("other"));
    }

    @Test
    void aParseThatTimesOutIsConservativeAndNotRemembered() {
        StringBuilder sql = new StringBuilder("SELECT * FROM big WHERE id IN (0");
        for (int i = 1; sql.length() < 100 * 1024; i++) {
            sql.append(", ").append(i);
        }
        sql.append(")");
        SqlAnalyzer hurried = new SqlAnalyzer(10, 1);
        SqlAnalysis first = hurried.analyze(sql.toString());
        assertThat(first.cacheable()).isFalse();
        assertThat(first.writesUnknown()).as("a text we could not read might write").isTrue();
        assertThat(first.bypassReason()).contains("timed out");
        long parses = hurried.parseCount();
        hurried.analyze(sql.toString());
        assertThat(hurried.parseCount()).as("tried again, not served from the analysis cache").isEqualTo(parses + 1);
    }

    @Test
    void aRepeatedStatementIsParsedOnce() {
        SqlAnalyzer fresh = new SqlAnalyzer(10);
        SqlAnalysis first = fresh.analyze("SELECT * FROM t WHERE id = ?");
        SqlAnalysis second = fresh.analyze("SELECT * FROM t WHERE id = ?");
        assertThat(second).isSameAs(first);
        assertThat(fresh.parseCount()).isEqualTo(1);
        fresh.analyze("SELECT * FROM t WHERE id = ? ");
        assertThat(fresh.parseCount()).as("white space does not change the shape").isEqualTo(1);
        fresh.analyze("SELECT * FROM t WHERE id > ?");
        assertThat(fresh.parseCount()).as("another shape is parsed").isEqualTo(2);
    }

    @Test
    void aZeroSizedCacheStillAnswers() {
        SqlAnalyzer none = new SqlAnalyzer(0);
        assertThat(none.analyze("SELECT 1").cacheable()).isTrue();
        assertThat(none.analyze("SELECT 1").cacheable()).isTrue();
    }

    @Test
    void systemSchemasAreRecognisedForResolvedNames() {
        assertThat(SqlAnalyzer.isSystemSchema("INFORMATION_SCHEMA")).isTrue();
        assertThat(SqlAnalyzer.isSystemSchema("shop")).isFalse();
        assertThat(SqlAnalyzer.isSystemSchema(null)).isFalse();
    }

    @Test
    void concurrentAnalysisFromEightThreadsAgrees() throws Exception {
        SqlAnalyzer shared = new SqlAnalyzer(50);
        List<Case> all = cases().toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<SqlAnalysis>>> futures = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                int offset = thread;
                futures.add(pool.submit(() -> {
                    List<SqlAnalysis> results = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        for (int i = 0; i < all.size(); i++) {
                            results.add(shared.analyze(all.get((i + offset * 7) % all.size()).sql()));
                        }
                    }
                    return results;
                }));
            }
            SqlAnalyzer reference = new SqlAnalyzer(0);
            for (int thread = 0; thread < 8; thread++) {
                List<SqlAnalysis> results = futures.get(thread).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < results.size(); i++) {
                    String sql = all.get((i % all.size() + thread * 7) % all.size()).sql();
                    assertThat(results.get(i)).as(sql).isEqualTo(reference.analyze(sql));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- literal-normalizing shapes: a new literal costs a lex, never a parse ----

    @Test
    void aNewLiteralOfAKnownShapeIsNotParsedButStaysInTheKeyText() {
        SqlAnalyzer fresh = new SqlAnalyzer(100);
        SqlAnalysis a42 = fresh.analyze("SELECT name FROM shop.users WHERE id = 42 AND kind = 'x'");
        SqlAnalysis a43 = fresh.analyze("SELECT name FROM shop.users   WHERE id = 43 /* c */ AND kind = 'it''s'");
        assertThat(fresh.parseCount()).as("the second literal reuses the shape's parse").isEqualTo(1);
        assertThat(a43.cacheable()).isTrue();
        assertThat(a43.tablesRead()).containsExactly(new TableName("shop", "users"));
        assertThat(a42.cacheText()).contains("42").doesNotContain("43");
        assertThat(a43.cacheText()).isEqualTo("SELECT name FROM shop.users   WHERE id = 43 /* c */ AND kind = 'it''s'");
        assertThat(a43).isEqualTo(new SqlAnalyzer(0).analyze(a43.cacheText()));
    }

    @Test
    void hintsAreReadFromEachTextNotFromItsShape() {
        SqlAnalyzer fresh = new SqlAnalyzer(100);
        assertThat(fresh.analyze("/* sqlcache:ttl=5 */ SELECT a FROM t WHERE id = 1").ttlSeconds()).isEqualTo(5);
        SqlAnalysis skipped = fresh.analyze("/* sqlcache:skip */ SELECT a FROM t WHERE id = 2");
        SqlAnalysis plain = fresh.analyze("SELECT a FROM t WHERE id = 3");
        assertThat(fresh.parseCount()).isEqualTo(1);
        assertThat(skipped.cacheable()).isFalse();
        assertThat(skipped.bypassReason()).isEqualTo("sqlcache:skip hint");
        assertThat(plain.ttlSeconds()).isNull();
        assertThat(plain.cacheable()).isTrue();
    }

    @Test
    void digitsThatNameSomethingAreNotLiterals() {
        SqlAnalyzer fresh = new SqlAnalyzer(100);
        SqlAnalysis five = fresh.analyze("SELECT a FROM s.5");
        SqlAnalysis six = fresh.analyze("SELECT a FROM s.6");
        assertThat(fresh.parseCount()).as("db.5 and db.6 are two tables: two shapes").isEqualTo(2);
        assertThat(six).isEqualTo(new SqlAnalyzer(0).analyze("SELECT a FROM s.6"));
        assertThat(five).isEqualTo(new SqlAnalyzer(0).analyze("SELECT a FROM s.5"));
        fresh.analyze("SELECT a FROM t WHERE b = @1");
        fresh.analyze("SELECT a FROM t WHERE b = @2");
        assertThat(fresh.parseCount()).as("@1 and @2 are two variables").isEqualTo(4);
    }

    @Test
    void doubleQuotedStringsBackslashesAndUncacheableReadsAreParsedEachTime() {
        SqlAnalyzer fresh = new SqlAnalyzer(100);
        fresh.analyze("SELECT a FROM t WHERE b = \"x\"");
        fresh.analyze("SELECT a FROM t WHERE b = \"y\"");
        assertThat(fresh.parseCount()).as("\"…\" names a column under ANSI_QUOTES").isEqualTo(2);
        fresh.analyze("SELECT a FROM t WHERE b = 'x\\'' OR c = 1");
        fresh.analyze("SELECT a FROM t WHERE b = 'x\\'' OR c = 2");
        assertThat(fresh.parseCount()).as("a backslash before a quote: no shape").isEqualTo(4);
        fresh.analyze("SELECT a FROM t WHERE b > NOW() - INTERVAL 1 DAY");
        fresh.analyze("SELECT a FROM t WHERE b > NOW() - INTERVAL 2 DAY");
        assertThat(fresh.parseCount()).as("only cacheable reads keep a shape").isEqualTo(6);
        fresh.analyze("UPDATE t SET a = 1 WHERE id = 1");
        fresh.analyze("UPDATE t SET a = 1 WHERE id = 2");
        assertThat(fresh.parseCount()).as("writes are parsed by text").isEqualTo(8);
    }

    /** Templates with {@code #} where a literal goes; every instance must analyse as a full parse does. */
    private static final List<String> LITERAL_TEMPLATES = List.of(
            "SELECT * FROM users WHERE id = #",
            "SELECT name FROM shop.users u JOIN orders o ON o.user_id = u.id WHERE o.total > # GROUP BY name",
            "SELECT a FROM t WHERE b IN (#, #, #) ORDER BY a LIMIT #",
            "SELECT a FROM t WHERE b = # UNION SELECT a FROM `other` WHERE c = #",
            "WITH x AS (SELECT a FROM t WHERE b = #) SELECT * FROM x JOIN y ON y.a = x.a",
            "SELECT (SELECT MAX(v) FROM t2 WHERE t2.k = #) AS m FROM t1",
            "SELECT a FROM t WHERE d > DATE # + INTERVAL # DAY",
            "SELECT CONCAT(#, name), COUNT(*) FROM t GROUP BY 1 HAVING COUNT(*) > #",
            "SELECT a FROM t WHERE b LIKE # ESCAPE '!' AND c BETWEEN # AND #",
            "SELECT a FROM t WHERE b = #;",
            "SELECT a FROM t -- comment\nWHERE b = #",
            "SELECT 1.5 * a FROM t WHERE b = #",
            "SELECT a FROM t WHERE b = _utf8mb4 # COLLATE utf8mb4_bin",
            "SELECT a FROM t WHERE b = N#",
            "SELECT a FROM t FOR UPDATE",
            "SELECT a FROM t WHERE b = # FOR SHARE");

    private static final List<String> LITERALS = List.of("0", "42", "18446744073709551616", "''", "'x'",
            "'it''s'", "'FROM other JOIN secret'", "'*/ DROP TABLE t; --'", "'?'", "'a;b'", "'\u0001N'",
            "'#'", "'2024-01-01'", "-7", "0x1F", "1e5", "'NOW()'", "'`q`'");

    @Test
    void literalsNeverChangeTheAnalysisOfASelect() {
        SqlAnalyzer shared = new SqlAnalyzer(1000);
        SqlAnalyzer reference = new SqlAnalyzer(0);
        int instances = 0;
        for (String template : LITERAL_TEMPLATES) {
            for (int i = 0; i < LITERALS.size(); i++) {
                StringBuilder sql = new StringBuilder();
                int n = 0;
                for (char c : template.toCharArray()) {
                    sql.append(c == '#' ? LITERALS.get((i + n++) % LITERALS.size()) : String.valueOf(c));
                }
                String text = sql.toString();
                assertThat(shared.analyze(text)).as(text).isEqualTo(reference.analyze(text));
                instances++;
            }
        }
        assertThat(shared.parseCount()).as("shapes were reused at all").isLessThan(instances / 2);
    }
}
