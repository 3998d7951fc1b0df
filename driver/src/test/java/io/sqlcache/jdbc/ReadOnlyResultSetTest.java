package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ReadOnlyResultSet}: every updater and mutator refuses as Connector/J's read-only set; scrolls check closed first. */
class ReadOnlyResultSetTest {

    private static final Set<String> MUTATORS = Set.of("insertRow", "updateRow", "deleteRow", "refreshRow",
            "cancelRowUpdates", "moveToInsertRow", "moveToCurrentRow");

    static CachedResultSet oneRow() {
        ColumnMeta id = new ColumnMeta("test", "", "t", "id", "id", Types.INTEGER, "INT", "java.lang.Integer", 10, 0, 1,
                true, 10, false, false, false, true, false, true, false);
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {7});
        List<String[]> strings = new ArrayList<>();
        strings.add(new String[1]);
        return new CachedResultSet(new CachedRows(List.of(id), values, strings), null);
    }

    /** A default argument of each parameter type: null objects, zero primitives, column 1. */
    private static Object[] arguments(Method m) {
        Object[] args = new Object[m.getParameterCount()];
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            Class<?> t = types[i];
            args[i] = t == int.class ? (Object) 1 : t == long.class ? (Object) 1L : t == boolean.class ? (Object) false
                    : t == byte.class ? (Object) (byte) 0 : t == short.class ? (Object) (short) 0
                    : t == float.class ? (Object) 0f : t == double.class ? (Object) 0d : t == String.class ? "id" : null;
        }
        return args;
    }

    private static List<Method> updatersAndMutators() {
        List<Method> found = new ArrayList<>();
        for (Method m : ResultSet.class.getMethods()) {
            if (m.getName().startsWith("update") && !m.getName().equals("updateRow") || MUTATORS.contains(m.getName())) {
                found.add(m);
            }
        }
        return found;
    }

    @Test
    void everyUpdaterAndMutatorThrowsConnectorJsNotUpdatableEvenWhenClosed() throws Exception {
        List<Method> methods = updatersAndMutators();
        // the 86 updateXxx overloads (by index and by label) and the 7 row mutators of JDBC 4.3
        assertThat(methods).hasSize(93);
        for (boolean closed : new boolean[] {false, true}) {
            CachedResultSet rs = oneRow();
            rs.next();
            if (closed) {
                rs.close();
            }
            for (Method m : methods) {
                Throwable thrown = null;
                try {
                    m.invoke(rs, arguments(m));
                } catch (InvocationTargetException e) {
                    thrown = e.getCause();
                }
                assertThat(thrown).as(m.toString()).isExactlyInstanceOf(SQLException.class)
                        .hasMessageStartingWith("Result Set not updatable.This result set must come from a statement")
                        .hasMessageEndingWith("See the JDBC 2.1 API Specification, section 5.6 for more details.");
                assertThat(((SQLException) thrown).getSQLState()).as(m.toString()).isEqualTo("S1000");
            }
        }
    }

    @Test
    void rowStateQueriesAreNotSupported() {
        CachedResultSet rs = oneRow();
        assertThatThrownBy(rs::rowUpdated).isExactlyInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
        assertThatThrownBy(rs::rowInserted).isExactlyInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
        assertThatThrownBy(rs::rowDeleted).isExactlyInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
    }

    @Test
    void scrollsAndFetchDirectionReportAClosedSetBeforeRefusing() throws SQLException {
        CachedResultSet open = oneRow();
        assertThatThrownBy(() -> open.absolute(1)).hasMessage(
                "Operation not allowed for a result set of type ResultSet.TYPE_FORWARD_ONLY.");
        open.setFetchDirection(ResultSet.FETCH_FORWARD);
        assertThat(open.getFetchDirection()).isEqualTo(ResultSet.FETCH_FORWARD);
        CachedResultSet closed = oneRow();
        closed.close();
        assertThatThrownBy(() -> closed.absolute(1)).hasMessage("Operation not allowed after ResultSet closed");
        assertThatThrownBy(closed::previous).hasMessage("Operation not allowed after ResultSet closed");
        assertThatThrownBy(() -> closed.setFetchDirection(ResultSet.FETCH_FORWARD))
                .hasMessage("Operation not allowed after ResultSet closed");
        assertThat(closed.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
        assertThat(closed.getConcurrency()).isEqualTo(ResultSet.CONCUR_READ_ONLY);
    }
}
