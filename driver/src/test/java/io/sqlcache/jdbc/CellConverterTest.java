package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.codec.ColumnMeta;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The temporal text parsers the getters convert through (the server's text forms), and the shortcut past the text. */
class CellConverterTest {

    @Test
    void parsesEveryTemporalTextFormTheServerSends() {
        assertThat(CellConverter.parseDate("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(CellConverter.parseDateTime("2024-02-29")).isEqualTo(LocalDateTime.of(2024, 2, 29, 0, 0));
        assertThat(CellConverter.parseDateTime("1999-12-31 23:59:58"))
                .isEqualTo(LocalDateTime.of(1999, 12, 31, 23, 59, 58));
        assertThat(CellConverter.parseDateTime("1999-12-31 23:59:58.5"))
                .isEqualTo(LocalDateTime.of(1999, 12, 31, 23, 59, 58, 500_000_000));
        assertThat(CellConverter.parseDateTime("0001-01-01 00:00:00.000001"))
                .isEqualTo(LocalDateTime.of(1, 1, 1, 0, 0, 0, 1_000));
        assertThat(CellConverter.parseTime("-838:59:59.000001"))
                .isEqualTo(new CellConverter.TimeValue(true, 838, 59, 59, 1_000));
        assertThat(CellConverter.parseTime("07:05:00")).isEqualTo(new CellConverter.TimeValue(false, 7, 5, 0, 0));
    }

    @Test
    void malformedTextFailsAsIntegerParsingDoes() {
        assertThatThrownBy(() -> CellConverter.parseDate("2024-0x-01")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> CellConverter.parseDate("2024-01")).isInstanceOf(StringIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> CellConverter.parseTime("12")).isInstanceOf(StringIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> CellConverter.parseTime("12::00")).isInstanceOf(NumberFormatException.class);
    }

    private static ColumnMeta column(int type, String typeName, String className, int precision, int scale) {
        return new ColumnMeta("test", null, "t", "c", "c", type, typeName, className, precision, scale, 1, true,
                precision, false, false, false, true, false, true, false);
    }

    /** What a conversion answers, or the failure it throws, as text to compare. */
    private static String outcome(CellConverter.Target<?> target, CellConverter.Cell cell, Object value, boolean direct) {
        try {
            Object r = direct ? CellConverter.fromValue(value, target) : CellConverter.convert(cell, target);
            return r.getClass().getName() + ":" + (r instanceof BigDecimal d ? d.toPlainString() + "/" + d.scale() : r);
        } catch (SQLException | RuntimeException e) {
            return e.getClass().getName() + ":" + e.getMessage() + ":" + (e instanceof SQLException q ? q.getSQLState() : "");
        }
    }

    @Test
    void aNumberThatReadsAsItselfConvertsAsItsTextDoes() {
        Random random = new Random(7);
        List<Object[]> cells = new ArrayList<>(); // column, value, getString text
        ColumnMeta integer = column(Types.INTEGER, "INT", "java.lang.Integer", 11, 0);
        ColumnMeta bigint = column(Types.BIGINT, "BIGINT", "java.lang.Long", 20, 0);
        ColumnMeta unsigned = column(Types.BIGINT, "BIGINT UNSIGNED", "java.math.BigInteger", 20, 0);
        ColumnMeta tiny = column(Types.TINYINT, "TINYINT", "java.lang.Integer", 4, 0);
        ColumnMeta decimal = column(Types.DECIMAL, "DECIMAL", "java.math.BigDecimal", 40, 10);
        for (long l : new long[] {0, 1, -1, 127, 128, -129, 32767, 32768, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L}) {
            cells.add(new Object[] {bigint, l, Long.toString(l)});
            cells.add(new Object[] {unsigned, l, Long.toString(l)});
            if (l == (int) l) {
                cells.add(new Object[] {integer, (int) l, Integer.toString((int) l)});
            }
            if (l == (byte) l) {
                cells.add(new Object[] {tiny, (byte) l, Byte.toString((byte) l)});
                cells.add(new Object[] {tiny, (short) l, Short.toString((short) l)});
            }
        }
        for (int i = 0; i < 2_000; i++) {
            long l = random.nextLong() >> random.nextInt(64);
            cells.add(new Object[] {bigint, l, Long.toString(l)});
            cells.add(new Object[] {integer, (int) l, Integer.toString((int) l)});
            BigDecimal d = new BigDecimal(BigInteger.valueOf(l).multiply(BigInteger.valueOf(random.nextInt(1000))),
                    random.nextInt(14) - 2);
            cells.add(new Object[] {decimal, d, d.toString()});
        }
        for (String s : new String[] {"0", "0.00", "-0.5", "0.000001", "0.0000001", "1E+3", "12345678901234567890.5",
            "9223372036854775807.5", "-9223372036854775809", "255.9", "-128.5", "1.5", "-1"}) {
            cells.add(new Object[] {decimal, new BigDecimal(s), s});
        }
        // a ZEROFILL text: kept beside the value, so the shortcut must not apply
        cells.add(new Object[] {integer, 42, "0000000042"});
        List<CellConverter.Target<?>> targets = List.of(CellConverter.BYTE, CellConverter.SHORT, CellConverter.INT,
                CellConverter.LONG, CellConverter.BOOLEAN, CellConverter.FLOAT, CellConverter.DOUBLE, CellConverter.BIG_DECIMAL);
        int shortcuts = 0;
        for (Object[] c : cells) {
            ColumnMeta column = (ColumnMeta) c[0];
            Object value = c[1];
            String text = (String) c[2];
            boolean overridden = !text.equals(String.valueOf(value));
            if (!CellConverter.readsAsItself(column, value, overridden)) {
                assertThat(overridden || value instanceof BigDecimal).as("only an override or a decimal's exponent refuses: " + text)
                        .isTrue();
                continue;
            }
            shortcuts++;
            CellConverter.Cell cell = CellConverter.cell(column, value, text);
            for (CellConverter.Target<?> t : targets) {
                assertThat(outcome(t, cell, value, true)).as(t.typeName + " of " + column.columnTypeName() + " " + text)
                        .isEqualTo(outcome(t, cell, value, false));
            }
        }
        assertThat(shortcuts).as("cells that took the shortcut").isGreaterThan(cells.size() * 9 / 10);
    }
}
