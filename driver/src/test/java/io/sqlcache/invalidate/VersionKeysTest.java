package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.sql.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionKeysTest {

    private final VersionKeys keys = new VersionKeys("p:");

    @Test
    void readKeysAreCanonicalWhateverTheOrder() {
        List<String> a = keys.forRead(List.of(TableName.of("Shop", "Users"), TableName.of("shop", "orders")));
        List<String> b = keys.forRead(List.of(TableName.of("shop", "orders"), TableName.of("shop", "users")));
        assertThat(a).isEqualTo(b).containsExactly("p:v:shop.orders", "p:v:shop.users", "p:g");
    }

    @Test
    void writesBumpTablesOrTheGlobalEpoch() {
        assertThat(keys.forWrite(List.of(TableName.of("s", "t")), false)).containsExactly("p:v:s.t");
        assertThat(keys.forWrite(List.of(TableName.of("s", "t")), true)).containsExactly("p:g");
        assertThat(keys.forWrite(List.of(), false)).isEmpty();
        // what a write bumps is exactly what a read of the same table checks
        assertThat(keys.forRead(List.of(TableName.of("s", "t")))).containsAll(keys.forWrite(List.of(TableName.of("S", "T")), false));
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
