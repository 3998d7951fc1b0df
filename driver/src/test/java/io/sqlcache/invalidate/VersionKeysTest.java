package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.sql.TableName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionKeysTest {

    private final VersionKeys keys = new VersionKeys("p:");

    @Test
    void readKeysAreCanonicalWhateverTheOrder() {
        List<String> a = keys.forRead(List.of(TableName.of("Shop", "Users"), TableName.of("shop", "orders")));
        List<String> b = keys.forRead(List.of(TableName.of("shop", "orders"), TableName.of("shop", "users")));
        assertThat(a).isEqualTo(b).containsExactly("p:v:shop.orders", "p:v:shop.users", "p:g", "p:write-sequence");
    }

    @Test
    void writesBumpTablesOrTheGlobalEpoch() {
        assertThat(keys.forWrite(List.of(TableName.of("s", "t")), false)).containsExactly("p:v:s.t", "p:w:s.t");
        assertThat(keys.forWrite(List.of(TableName.of("s", "t")), true)).containsExactly("p:g");
        assertThat(keys.forWrite(List.of(), false)).isEmpty();
        // a write bumps what a read of the same table checks
        assertThat(keys.forRead(List.of(TableName.of("s", "t")))).contains(keys.tableKey(TableName.of("S", "T")));
        assertThat(keys.forWrite(List.of(TableName.of("S", "T")), false)).contains(keys.tableKey(TableName.of("s", "t")));
    }

    /**
     * The table in VersionKeys' Javadoc: every pair of read kind and write kind, and whether the
     * write must invalidate the read (they share a key) or must not (row-range versions' point).
     */
    @Test
    void everyReadKindSeesEveryWriteKindItMust() {
        TableName t = TableName.of("s", "t");
        TableName other = TableName.of("s", "u");
        List<String> wholeRead = keys.forRead(List.of(t));
        List<String> rangeRead = keys.forRead(List.of(t), Map.of(t, new long[] {4, 5}));
        List<String> emptyRead = keys.forRead(List.of(t), Map.of(t, new long[0]));
        List<String> rowsWrite = keys.forWrite(List.of(t), false, Map.of(t, new long[] {5}));
        List<String> otherRowsWrite = keys.forWrite(List.of(t), false, Map.of(t, new long[] {0}));
        List<String> unknownRowsWrite = keys.forWrite(List.of(t), false);
        List<String> unknownTablesWrite = keys.forWrite(List.of(), true);
        List<String> otherTableWrite = keys.forWrite(List.of(other), false);

        assertThat(rangeRead).containsExactly("p:b:s.t:4", "p:b:s.t:5", "p:w:s.t", "p:g", "p:write-sequence");
        assertThat(emptyRead).containsExactly("p:w:s.t", "p:g", "p:write-sequence");
        assertThat(wholeRead).containsExactly("p:v:s.t", "p:g", "p:write-sequence");
        // a point read: the same order as a two-table read of the same keys would sort them
        assertThat(keys.forRead(List.of(t), Map.of(t, new long[] {5}))).containsExactly("p:b:s.t:5", "p:w:s.t", "p:g", "p:write-sequence");
        assertThat(rowsWrite).containsExactly("p:b:s.t:5", "p:v:s.t");

        assertThat(shared(wholeRead, rowsWrite)).isTrue();
        assertThat(shared(wholeRead, otherRowsWrite)).isTrue();
        assertThat(shared(wholeRead, unknownRowsWrite)).isTrue();
        assertThat(shared(wholeRead, unknownTablesWrite)).isTrue();
        assertThat(shared(rangeRead, rowsWrite)).isTrue();
        assertThat(shared(rangeRead, otherRowsWrite)).as("other buckets: stays a hit").isFalse();
        assertThat(shared(rangeRead, unknownRowsWrite)).isTrue();
        assertThat(shared(rangeRead, unknownTablesWrite)).isTrue();
        assertThat(shared(emptyRead, rowsWrite)).isFalse();
        assertThat(shared(emptyRead, unknownRowsWrite)).isTrue();
        assertThat(shared(emptyRead, unknownTablesWrite)).isTrue();
        assertThat(shared(wholeRead, otherTableWrite)).isFalse();
        assertThat(shared(rangeRead, otherTableWrite)).isFalse();
    }

    private static boolean shared(List<String> read, List<String> write) {
        return read.stream().anyMatch(write::contains);
    }

    @Test
    void unresolvedTablesAreRejected() {
        assertThatThrownBy(() -> keys.tableKey(TableName.of("t"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writeSetTracksTouchedTables() {
        WriteSet ws = new WriteSet();
        assertThat(ws.isEmpty()).isTrue();
        ws.add(List.of(TableName.of("s", "a")), false);
        assertThat(ws.touches(List.of(TableName.of("s", "a"), TableName.of("s", "b")))).isTrue();
        assertThat(ws.touches(List.of(TableName.of("s", "b")))).isFalse();
        ws.add(List.of(), true);
        assertThat(ws.touches(List.of(TableName.of("s", "b")))).isTrue();
        ws.clear();
        assertThat(ws.isEmpty()).isTrue();
        assertThat(ws.touches(List.of(TableName.of("s", "a")))).isFalse();
    }
}
