package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.sql.RowCondition;
import io.sqlcache.sql.RowCondition.Op;
import io.sqlcache.sql.RowValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket arithmetic of {@link RowScopes}: which buckets a set of conditions on the key allows. */
class RowScopesTest {

    private static final RowKey INT = new RowKey("id", Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final RowKey UTINY = new RowKey("id", 0, 255);

    private static RowCondition c(String column, Op op, long... values) {
        return new RowCondition(column, op, java.util.Arrays.stream(values).mapToObj(RowValue::ofLiteral).toList());
    }

    private static long[] read(RowKey key, RowCondition... cs) {
        return RowScopes.buckets(List.of(cs), key, null, false);
    }

    @Test
    void pointsAndRanges() {
        assertThat(read(INT, c("id", Op.IN, 42))).containsExactly(0);
        assertThat(read(INT, c("id", Op.IN, 42, 1024, 5000))).containsExactly(0, 1, 4);
        assertThat(read(INT, c("id", Op.IN, -1))).containsExactly(-1);
        assertThat(read(INT, c("id", Op.GE, 5001), c("id", Op.LE, 10000))).containsExactly(4, 5, 6, 7, 8, 9);
        assertThat(read(INT, c("id", Op.GT, 1023), c("id", Op.LT, 2048))).containsExactly(1);
        assertThat(read(INT, c("id", Op.GE, 10), c("id", Op.LE, 5))).as("an empty range").isEmpty();
        assertThat(read(INT, c("id", Op.IN, 3, 7), c("id", Op.GE, 5), c("id", Op.LE, 2000))).containsExactly(0);
        assertThat(read(INT, c("id", Op.IN, 3), c("id", Op.IN, 2000))).as("= 3 AND = 2000: no row").isEmpty();
    }

    @Test
    void unboundedOrTooWideOrOtherColumnsAreTheWholeTable() {
        assertThat(read(INT, c("id", Op.GE, 5))).isNull();
        assertThat(read(INT, c("k", Op.IN, 5))).isNull();
        assertThat(read(INT, c("id", Op.GE, 0), c("id", Op.LE, 64L * 1024 - 1))).hasSize(64);
        assertThat(read(INT, c("id", Op.GE, 0), c("id", Op.LE, 64L * 1024))).isNull();
        assertThat(read(INT)).isNull();
    }

    @Test
    void valuesOutsideTheColumnsRangeAreNotUsed() {
        assertThat(read(UTINY, c("id", Op.IN, 300))).isNull();
        assertThat(read(UTINY, c("id", Op.IN, -1))).isNull();
        assertThat(read(UTINY, c("id", Op.IN, 300), c("id", Op.IN, 5))).as("the other conjunct still bounds")
                .containsExactly(0);
    }

    @Test
    void parametersNotBoundToIntegersAreNotUsed() {
        RowCondition p = new RowCondition("id", Op.IN, List.of(RowValue.ofParameter(1)));
        assertThat(RowScopes.buckets(List.of(p), INT, new Long[] {2048L}, false)).containsExactly(2);
        assertThat(RowScopes.buckets(List.of(p), INT, new Long[] {null}, false)).isNull();
        assertThat(RowScopes.buckets(List.of(p), INT, null, false)).isNull();
    }

    @Test
    void insertsNeedEveryKeyPositiveAndKnown() {
        assertThat(RowScopes.buckets(List.of(c("id", Op.IN, 5, 3000)), INT, null, true)).containsExactly(0, 2);
        assertThat(RowScopes.buckets(List.of(c("id", Op.IN, 5, 0)), INT, null, true)).as("0: AUTO_INCREMENT").isNull();
        assertThat(RowScopes.buckets(List.of(c("k", Op.IN, 5)), INT, null, true)).isNull();
        RowCondition unknownParam = new RowCondition("id", Op.IN, List.of(RowValue.ofLiteral(5), RowValue.ofParameter(1)));
        assertThat(RowScopes.buckets(List.of(unknownParam), INT, new Long[] {null}, true)).isNull();
    }

    @Test
    void aSingleKeyValueGetsTheBucketTheGeneralRulesGive() {
        // key = x alone takes a shortcut; key IN (x, x) is the same set of rows through the general rules
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long[] edges = {0, 1, -1, 255, 256, 1023, 1024, -1024, -1025, Integer.MAX_VALUE, Integer.MIN_VALUE,
                Long.MAX_VALUE, Long.MIN_VALUE, 4_294_967_295L};
        for (int i = 0; i < 20_000; i++) {
            long x = i < edges.length ? edges[i] : random.nextLong(-5000, 5000);
            for (RowKey key : List.of(INT, UTINY, new RowKey("id", Long.MIN_VALUE, Long.MAX_VALUE))) {
                for (boolean insert : new boolean[] {false, true}) {
                    long[] general = RowScopes.buckets(List.of(c("id", Op.IN, x, x)), key, null, insert);
                    assertThat(RowScopes.buckets(List.of(c("id", Op.IN, x)), key, null, insert))
                            .as("id = %d, key %s, insert %s", x, key, insert).isEqualTo(general);
                }
            }
        }
        assertThat(RowScopes.buckets(List.of(c("id", Op.IN, 5)), INT, null, true)).containsExactly(0);
        assertThat(RowScopes.buckets(List.of(c("id", Op.IN, 0)), INT, null, true)).as("0: AUTO_INCREMENT").isNull();
    }

    @Test
    void rowKeysFromTheCatalog() {
        assertThat(RowKey.of(new CatalogReader.PrimaryKeyRow(null, "ID", "int", "int(10) unsigned", "auto_increment")))
                .isEqualTo(new RowKey("id", 0, 4_294_967_295L));
        assertThat(RowKey.of(new CatalogReader.PrimaryKeyRow(null, "id", "bigint", "bigint(20)", "")))
                .isEqualTo(new RowKey("id", Long.MIN_VALUE, Long.MAX_VALUE));
        assertThat(RowKey.of(new CatalogReader.PrimaryKeyRow(null, "id", "int", "int(11)", "STORED GENERATED"))).isNull();
        assertThat(RowKey.of(new CatalogReader.PrimaryKeyRow(null, "id", "varchar", "varchar(10)", ""))).isNull();
        assertThat(RowKey.of(new CatalogReader.PrimaryKeyRow(null, "id", "decimal", "decimal(10,0)", ""))).isNull();
    }
}
