package io.sqlcache.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the analyzer says about the rows a statement reads or writes ({@link SqlAnalysis#rows()}). */
class RowRestrictionsTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(100);

    /** The conditions per occurrence, as text: "t: id IN [5] | u: " (values: literals, or ?n). */
    private String rows(String sql) {
        return analyzer.analyze(sql).rows().stream().map(r -> r.table() + ":" + r.conditions().stream()
                .map(c -> " " + c.column() + " " + c.op() + " " + c.values().stream()
                        .map(v -> v.parameter() > 0 ? "?" + v.parameter() : Long.toString(v.literal()))
                        .collect(Collectors.toList()))
                .collect(Collectors.joining(",")) + (r.assigned().isEmpty() ? "" : " set " + r.assigned()))
                .collect(Collectors.joining(" | "));
    }

    @Test
    void plainConditionsOnTopLevelTables() {
        assertThat(rows("SELECT * FROM t WHERE id = 5")).isEqualTo("t: id IN [5]");
        assertThat(rows("SELECT * FROM t WHERE id IN (1, 2, 3)")).isEqualTo("t: id IN [1, 2, 3]");
        assertThat(rows("SELECT * FROM t WHERE id BETWEEN ? AND ?")).isEqualTo("t: id GE [?1], id LE [?2]");
        assertThat(rows("SELECT * FROM t WHERE id >= -5 AND 10 > id AND x = 'a'")).isEqualTo("t: id GE [-5], id LT [10]");
        assertThat(rows("SELECT a.k % 100, COUNT(*), SUM(LENGTH(b.c)) FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id"
                + " WHERE a.id BETWEEN ? AND ? GROUP BY 1")).isEqualTo("sbtest1: id GE [?1], id LE [?2] | sbtest2:");
        assertThat(rows("SELECT * FROM s.t x WHERE (x.id = 7)")).isEqualTo("s.t: id IN [7]");
    }

    @Test
    void eachTextOfOneShapeGetsItsOwnValues() {
        assertThat(rows("SELECT * FROM t WHERE id = 5")).isEqualTo("t: id IN [5]");
        long parses = analyzer.parseCount();
        assertThat(rows("SELECT * FROM t WHERE id = 6000")).isEqualTo("t: id IN [6000]");
        assertThat(rows("SELECT * FROM t WHERE id = 99999999999999999999")).as("out of long range").isEqualTo("t:");
        assertThat(analyzer.parseCount()).as("answered by the shape").isEqualTo(parses);
        // the same digits twice: which literal is the condition's is not known
        assertThat(rows("SELECT * FROM t WHERE id = 5 AND k = 5")).isEqualTo("t:");
    }

    @Test
    void anythingElseIsNoCondition() {
        assertThat(rows("SELECT * FROM t WHERE id = 5 OR id = 6")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE NOT id = 5")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id = 5 AND x = 1 XOR y = 2")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id = 5 AND x = 'a' || 'b'")).as("|| is OR for MySQL").isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id = '5'")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id = 5.0")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id = 5 + 0")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE CAST(id AS SIGNED) = 5")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id NOT IN (5)")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id <> 5")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id NOT BETWEEN 1 AND 9")).isEqualTo("t:");
        assertThat(rows("SELECT * FROM t WHERE id > 5")).as("the analysis keeps it; the range is unbounded")
                .isEqualTo("t: id GT [5]");
        // JSqlParser reads "IN (1, 2) AND x = 3" as "IN ((1, 2) AND x = 3)": not a list of values
        assertThat(rows("SELECT * FROM t WHERE id IN (1, 2) AND x = 3")).isEqualTo("t:");
    }

    @Test
    void onlyPlainTablesOfTheTopLevelFromList() {
        assertThat(rows("SELECT * FROM t WHERE id = 5 AND x IN (SELECT id FROM t WHERE id = 6)"))
                .isEqualTo("t: id IN [5] | t:");
        assertThat(rows("SELECT * FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.id = 5"))
                .isEqualTo("t: id IN [5] | t:");
        assertThat(rows("SELECT * FROM (SELECT * FROM t) d WHERE d.id = 5")).isEqualTo("t:");
        assertThat(rows("WITH c AS (SELECT * FROM t) SELECT * FROM t WHERE id = 5")).isEqualTo("t: | t:");
        assertThat(rows("SELECT * FROM t WHERE id = 5 UNION SELECT * FROM t WHERE id = 6")).isEqualTo("t: | t:");
        assertThat(rows("SELECT * FROM t a JOIN u b ON a.id = b.id WHERE id = 5")).as("unqualified in a join")
                .isEqualTo("t: | u:");
        assertThat(rows("SELECT * FROM t x JOIN u X ON x.id = X.id WHERE x.id = 5")).as("names equal but for case")
                .isEqualTo("t: | u:");
        assertThat(rows("SELECT * FROM t JOIN u t2 ON t.id = t2.id WHERE t2.id = 5")).isEqualTo("t: | u: id IN [5]");
    }

    @Test
    void writes() {
        assertThat(rows("UPDATE t SET k = k + 1 WHERE id = ?")).isEqualTo("t: id IN [?1] set [k]");
        assertThat(rows("UPDATE t SET id = 9 WHERE id = 5")).isEqualTo("t: id IN [5] set [id]");
        assertThat(rows("UPDATE t a JOIN u b ON a.id = b.id SET a.k = 1 WHERE a.id = 5")).isEmpty();
        assertThat(rows("DELETE FROM t WHERE id IN (5, 6)")).isEqualTo("t: id IN [5, 6]");
        assertThat(rows("DELETE a FROM t a JOIN u b ON a.id = b.id WHERE a.id = 5")).isEmpty();
        assertThat(rows("INSERT INTO t (id, c) VALUES (1, 'a'), (?, 'b')")).isEqualTo("t: id IN [1, ?1]");
        assertThat(rows("INSERT INTO t (id, c) VALUES (3, 'a')")).isEqualTo("t: id IN [3]");
        assertThat(rows("INSERT INTO t (id, c) VALUES (3, 'a') ON DUPLICATE KEY UPDATE c = 'b'")).isEmpty();
        assertThat(rows("INSERT INTO t (id) SELECT 3")).isEmpty();
        assertThat(rows("INSERT INTO t VALUES (3, 'a')")).isEmpty();
        assertThat(rows("REPLACE INTO t (id, c) VALUES (3, 'a')")).isEmpty();
        assertThat(rows("UPDATE t SET k = 1 WHERE id = 5 AND @x := 1")).isEmpty();
        assertThat(analyzer.analyze("UPDATE t SET k = 1 WHERE id = 5").rows()).hasSize(1);
    }

    @Test
    void rowValuesResolveParameters() {
        assertThat(RowValue.ofLiteral(5).resolve(null)).isEqualTo(5L);
        assertThat(RowValue.ofParameter(2).resolve(new Long[] {1L, 7L})).isEqualTo(7L);
        assertThat(RowValue.ofParameter(2).resolve(new Long[] {1L, null})).isNull();
        assertThat(RowValue.ofParameter(3).resolve(new Long[] {1L})).isNull();
        assertThat(RowValue.ofParameter(1).resolve(null)).isNull();
    }
}
