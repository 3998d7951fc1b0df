package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Navigation, NULLs, labels, close and index errors of the cached result set, as Connector/J behaves. */
class CachedResultSetTest {

    private static ColumnMeta column(String table, String name, String label, int type, String typeName, String className) {
        return new ColumnMeta("test", "", table, name, label, type, typeName, className, 10, 0, 1, true, 10,
                false, false, false, true, false, true, false);
    }

    private static final List<ColumnMeta> COLUMNS = List.of(
            column("t", "id", "id", Types.INTEGER, "INT", "java.lang.Integer"),
            column("t", "c_int", "Lbl", Types.INTEGER, "INT", "java.lang.Integer"),
            column("t", "c_char", "lbl", Types.CHAR, "CHAR", "java.lang.String"),
            column("t", "c_dt", "dt", Types.TIMESTAMP, "DATETIME", "java.time.LocalDateTime"),
            column("t", "c_bin", "bin", Types.VARBINARY, "VARBINARY", "[B"));

    private static CachedResultSet rs(Object[]... rows) {
        List<String[]> strings = new ArrayList<>();
        for (Object[] row : rows) {
            String[] s = new String[row.length];
            if (row[3] != null) {
                s[3] = row[3].toString().replace('T', ' ');
            }
            strings.add(s);
        }
        return new CachedResultSet(new CachedRows(COLUMNS, Arrays.asList(rows), strings), null);
    }

    private static CachedResultSet twoRows() {
        return rs(new Object[] {1, 42, "ab", LocalDateTime.of(2024, 2, 29, 23, 59, 59), new byte[] {1, 2}},
                new Object[] {2, null, null, null, null});
    }

    @Test
    void walksForwardAndReportsItsPosition() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
            assertThat(rs.getConcurrency()).isEqualTo(ResultSet.CONCUR_READ_ONLY);
            assertThat(rs.isBeforeFirst()).isTrue();
            assertThat(rs.getRow()).isZero();
            assertThatThrownBy(() -> rs.getInt(1)).isInstanceOf(SQLException.class).hasMessage("Before start of result set");

            assertThat(rs.next()).isTrue();
            assertThat(rs.isFirst()).isTrue();
            assertThat(rs.isLast()).isFalse();
            assertThat(rs.getRow()).isEqualTo(1);
            assertThat(rs.getInt(1)).isEqualTo(1);

            assertThat(rs.next()).isTrue();
            assertThat(rs.isFirst()).isFalse();
            assertThat(rs.isLast()).isTrue();
            assertThat(rs.getRow()).isEqualTo(2);

            assertThat(rs.next()).isFalse();
            assertThat(rs.isAfterLast()).isTrue();
            assertThat(rs.getRow()).isZero();
            assertThat(rs.next()).isFalse();
            assertThatThrownBy(() -> rs.getInt(1)).isInstanceOf(SQLException.class).hasMessage("After end of result set");
        }
    }

    @Test
    void anEmptyResultIsNeitherBeforeFirstNorAfterLast() throws SQLException {
        try (CachedResultSet rs = rs()) {
            assertThat(rs.isBeforeFirst()).isFalse();
            assertThat(rs.next()).isFalse();
            assertThat(rs.isAfterLast()).isFalse();
            assertThatThrownBy(() -> rs.getString(1)).isInstanceOf(SQLException.class)
                    .hasMessage("Illegal operation on empty result set.");
        }
    }

    @Test
    void wasNullFollowsTheLastGetter() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            rs.next();
            assertThat(rs.getInt(2)).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
            assertThat(rs.wasNull()).isFalse();
            assertThat(rs.getString(3)).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getBoolean(2)).isFalse();
            assertThat(rs.getBigDecimal(2)).isNull();
            assertThat(rs.getBytes(5)).isNull();
            assertThat(rs.getTimestamp(4)).isNull();
            assertThat(rs.getObject(4, LocalDateTime.class)).isNull();
            assertThat(rs.wasNull()).isTrue();
        }
    }

    @Test
    void labelsAreCaseInsensitiveFirstMatchThenTableQualified() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            assertThat(rs.findColumn("LBL")).isEqualTo(2);
            assertThat(rs.getInt("lbl")).isEqualTo(42);
            assertThat(rs.findColumn("t.lbl")).isEqualTo(2);
            assertThat(rs.findColumn("ID")).isEqualTo(1);
            assertThat(rs.getString("dt")).isEqualTo("2024-02-29 23:59:59");
            // the column's own name is not a label
            assertThatThrownBy(() -> rs.findColumn("c_int")).isInstanceOf(SQLSyntaxErrorException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42S22");
        }
    }

    @Test
    void badIndexesFailWithConnectorJsState() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            assertThatThrownBy(() -> rs.getInt(0)).isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("Column Index out of range")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("S1009");
            assertThatThrownBy(() -> rs.getObject(6)).isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("Column Index out of range, 6 > 5")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("S1009");
            ResultSetMetaData md = rs.getMetaData();
            assertThat(md.getColumnCount()).isEqualTo(5);
            assertThat(md.getColumnLabel(2)).isEqualTo("Lbl");
            assertThat(md.getColumnName(2)).isEqualTo("c_int");
            assertThatThrownBy(() -> md.getColumnName(6)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void everythingButTheConstantsFailsAfterClose() throws SQLException {
        CachedResultSet rs = twoRows();
        rs.next();
        rs.close();
        assertThat(rs.isClosed()).isTrue();
        for (ThrowingCall call : List.<ThrowingCall>of(rs::next, () -> rs.getInt(1), rs::getMetaData, rs::getStatement,
                rs::getWarnings, () -> rs.findColumn("id"), rs::getFetchSize, rs::isBeforeFirst, rs::getRow,
                () -> rs.isWrapperFor(ResultSet.class))) {
            assertThatThrownBy(call::run).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("S1000");
        }
        assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
        rs.close();
    }

    @Test
    void scrollingAndUpdatesAreRefused() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            for (ThrowingCall call : List.<ThrowingCall>of(rs::previous, rs::first, rs::last, () -> rs.absolute(1),
                    () -> rs.relative(1), rs::beforeFirst, rs::afterLast)) {
                assertThatThrownBy(call::run).isInstanceOf(SQLException.class)
                        .hasMessageContaining("TYPE_FORWARD_ONLY");
            }
            for (ThrowingCall call : List.<ThrowingCall>of(() -> rs.updateInt(1, 3), () -> rs.updateString("lbl", "x"),
                    rs::insertRow, rs::deleteRow, rs::moveToInsertRow, rs::refreshRow)) {
                assertThatThrownBy(call::run).isInstanceOf(SQLException.class).hasMessageStartingWith("Result Set not updatable");
            }
            assertThatThrownBy(() -> rs.setFetchDirection(ResultSet.FETCH_REVERSE)).isInstanceOf(SQLException.class);
            rs.setFetchSize(5);
            assertThat(rs.getFetchSize()).isEqualTo(5);
            assertThatThrownBy(() -> rs.setFetchSize(-1)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void convertsLikeConnectorJ() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            assertThat(rs.getLong(2)).isEqualTo(42L);
            assertThat(rs.getBigDecimal(2)).isEqualTo(new BigDecimal(42));
            // Connector/J's getByte of a string: one byte is that byte, more is out of range
            assertThatThrownBy(() -> rs.getByte(3)).isInstanceOf(SQLDataException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22003");
            assertThatThrownBy(() -> rs.getInt(3)).isInstanceOf(SQLDataException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22018");
            assertThatThrownBy(() -> rs.getInt(4)).isInstanceOf(SQLDataException.class)
                    .hasMessage("Unsupported conversion from DATETIME to java.lang.Integer");
            assertThat(rs.getTimestamp(4)).isEqualTo(Timestamp.valueOf("2024-02-29 23:59:59"));
            assertThat(rs.getObject(4)).isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 59));
        }
    }

    @Test
    void getObjectHandsOutCopiesOfMutableValues() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            rs.next();
            byte[] first = (byte[]) rs.getObject(5);
            first[0] = 99;
            assertThat((byte[]) rs.getObject(5)).containsExactly(1, 2);
            rs.getBytes(5)[1] = 99;
            assertThat(rs.getBytes(5)).containsExactly(1, 2);
            assertThat(rs.getObject(5, java.util.Map.of())).isEqualTo(new byte[] {1, 2});
        }
    }

    @Test
    void unwrapsToItselfOnly() throws SQLException {
        try (CachedResultSet rs = twoRows()) {
            assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
            assertThat(rs.unwrap(CachedResultSet.class)).isSameAs(rs);
            assertThat(rs.isWrapperFor(String.class)).isFalse();
            assertThatThrownBy(() -> rs.unwrap(String.class)).isInstanceOf(SQLException.class);
            assertThat(rs.getStatement()).isNull();
            assertThat((Object) rs.getWarnings()).isNull();
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
