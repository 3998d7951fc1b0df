package io.sqlcache.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnListsTest {

    private static ColumnMeta column(String name) {
        return new ColumnMeta("def", "", "t", name, name, Types.INTEGER, "INT", "java.lang.Integer", 11, 0, 1, true,
                11, false, false, false, true, false, true, false);
    }

    @Test
    void equalListsShareOneImmutableInstance() {
        List<ColumnMeta> a = new ArrayList<>(List.of(column("id"), column("n")));
        List<ColumnMeta> b = new ArrayList<>(List.of(column("id"), column("n")));
        List<ColumnMeta> first = ColumnLists.canonical(a);
        List<ColumnMeta> second = ColumnLists.canonical(b);
        assertThat(second).isSameAs(first).isEqualTo(a);
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThatThrownBy(() -> first.add(column("x"))).isInstanceOf(UnsupportedOperationException.class);
        a.add(column("later"));
        assertThat(first).as("not a view of the list it was made from").hasSize(2);
    }

    @Test
    void differentListsStayApart() {
        List<ColumnMeta> a = ColumnLists.canonical(List.of(column("id")));
        List<ColumnMeta> b = ColumnLists.canonical(List.of(column("other")));
        assertThat(a).isNotEqualTo(b);
        assertThat(new CachedRows(List.of(column("id")), List.of(), List.of()).columns()).isSameAs(a);
    }
}
