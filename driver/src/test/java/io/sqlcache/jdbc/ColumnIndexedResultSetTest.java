package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each getter by label of {@link ColumnIndexedResultSet} answers what the getter by index of the
 * same name and remaining arguments answers for the column {@code findColumn} names.
 */
class ColumnIndexedResultSetTest {

    private static ColumnMeta column(String name, int type, String typeName, String className) {
        return new ColumnMeta("test", "", "t", name, name, type, typeName, className, 10, 2, 1, true, 10,
                false, false, false, true, false, true, false);
    }

    private static CachedResultSet row() {
        List<ColumnMeta> columns = List.of(
                column("n", Types.DECIMAL, "DECIMAL", "java.math.BigDecimal"),
                column("s", Types.VARCHAR, "VARCHAR", "java.lang.String"),
                column("dt", Types.TIMESTAMP, "DATETIME", "java.time.LocalDateTime"));
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {new BigDecimal("3.14159"), "42", LocalDateTime.of(2024, 2, 29, 23, 59, 59)});
        List<String[]> strings = new ArrayList<>();
        strings.add(new String[] {null, null, "2024-02-29 23:59:59"});
        return new CachedResultSet(new CachedRows(columns, values, strings), null);
    }

    /** Arguments after the column that make a forward to the wrong overload visible. */
    private static Object[] rest(Class<?>[] types) {
        Object[] args = new Object[types.length - 1];
        for (int i = 1; i < types.length; i++) {
            Class<?> t = types[i];
            // a zone no test machine runs in, a scale that rounds, a target type that converts
            args[i - 1] = t == Calendar.class ? Calendar.getInstance(TimeZone.getTimeZone("Asia/Kathmandu"))
                    : t == int.class ? (Object) 2 : t == Class.class ? Long.class : t == Map.class ? Map.of() : null;
        }
        return args;
    }

    private static String outcome(ResultSet rs, Method m, Object column, Object[] rest) throws Exception {
        Object[] args = new Object[rest.length + 1];
        args[0] = column;
        System.arraycopy(rest, 0, args, 1, rest.length);
        Object v;
        try {
            v = m.invoke(rs, args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            return t.getClass().getName() + ": " + t.getMessage()
                    + (t instanceof SQLException s ? " [" + s.getSQLState() + "]" : "");
        }
        if (v instanceof byte[] b) {
            return Arrays.toString(b);
        } else if (v instanceof InputStream in) {
            return "stream " + Arrays.toString(in.readAllBytes());
        } else if (v instanceof Reader r) {
            char[] buf = new char[64];
            return "reader " + new String(buf, 0, Math.max(0, r.read(buf)));
        } else if (v instanceof Blob b) {
            return "blob " + Arrays.toString(b.getBytes(1, (int) b.length()));
        } else if (v instanceof Clob c) {
            return "clob " + c.getSubString(1, (int) c.length());
        }
        return v == null ? "null" : v.getClass().getName() + " " + v + " wasNull=" + rs.wasNull();
    }

    @Test
    void everyLabelGetterAnswersAsTheIndexGetterOfTheSameName() throws Exception {
        int labelGetters = 0;
        for (Method byLabel : ResultSet.class.getMethods()) {
            Class<?>[] types = byLabel.getParameterTypes();
            if (!byLabel.getName().startsWith("get") || types.length == 0 || types[0] != String.class) {
                continue;
            }
            labelGetters++;
            Class<?>[] indexTypes = types.clone();
            indexTypes[0] = int.class;
            Method byIndex = ResultSet.class.getMethod(byLabel.getName(), indexTypes);
            Object[] rest = rest(types);
            for (String label : List.of("n", "S", "t.dt")) {
                try (CachedResultSet a = row(); CachedResultSet b = row()) {
                    a.next();
                    b.next();
                    assertThat(outcome(a, byLabel, label, rest)).as(byLabel + " of " + label)
                            .isEqualTo(outcome(b, byIndex, b.findColumn(label), rest));
                }
            }
        }
        assertThat(labelGetters).isEqualTo(34);
    }

    @Test
    void aLabelGetterFailsAsFindColumnBeforeTheRowIsChecked() throws SQLException {
        try (CachedResultSet rs = row()) {
            // before the first row: the unknown label is reported, not the position
            assertThatThrownBy(() -> rs.getString("nope")).hasMessage("Column 'nope' not found.")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42S22");
            assertThatThrownBy(() -> rs.getString("s")).hasMessage("Before start of result set");
            rs.next();
            assertThat(rs.getBigDecimal("N", 2)).isEqualTo(new BigDecimal("3.14"));
            rs.close();
            assertThatThrownBy(() -> rs.getString("s")).hasMessage("Operation not allowed after ResultSet closed");
        }
    }
}
