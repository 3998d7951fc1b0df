package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which raw bytes of a temporal cell are their own text (ResultSetCaptureIT checks it against Connector/J). */
class ResultSetCaptureTest {

    private static String raw(String s) {
        return ResultSetCapture.rawText(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aZeroPaddedDateOrDatetimeWithoutFractionIsItsOwnText() {
        assertThat(raw("2024-02-29")).isEqualTo("2024-02-29");
        assertThat(raw("0999-01-01")).isEqualTo("0999-01-01");
        assertThat(raw("2024-02-29 23:59:59")).isEqualTo("2024-02-29 23:59:59");
        assertThat(raw("1000-01-01 00:00:00")).isEqualTo("1000-01-01 00:00:00");
    }

    @Test
    void everythingElseIsLeftToTheRealGetString() {
        assertThat(raw("2024-02-29 23:59:59.5")).as("a fraction").isNull();
        assertThat(raw("2024-02-29 23:59:59.000000")).as("a fraction of zeros").isNull();
        assertThat(raw("0000-00-00")).as("a zero date").isNull();
        assertThat(raw("0000-00-00 00:00:00")).isNull();
        assertThat(raw("0000-01-01")).as("year 0").isNull();
        assertThat(raw("2024-00-15")).as("month 0").isNull();
        assertThat(raw("2024-02-00 10:00:00")).as("day 0").isNull();
        assertThat(raw("2024")).as("a YEAR as DATE").isNull();
        assertThat(raw("12:30:00")).as("a TIME").isNull();
        assertThat(raw("2024/02/29")).isNull();
        assertThat(raw("2024-02-29T23:59:59")).isNull();
        assertThat(raw("2024-02-29 23-59-59")).isNull();
        assertThat(raw("2024-0a-29")).isNull();
        assertThat(ResultSetCapture.rawText(null)).isNull();
        assertThat(ResultSetCapture.rawText(new byte[] {7, (byte) 0xe8, 7, 2, 29, 23, 59, 59, 0, 0, 0})).as("binary").isNull();
    }

    @Test
    void aValueBuiltFromARulesTextIsWhatItsTextSpells() {
        int integer = ResultSetCapture.TextRules.INTEGER;
        assertThat(ResultSetCapture.rawValue(integer, Integer.class, ascii("-2147483648"))).isEqualTo(Integer.MIN_VALUE);
        assertThat(ResultSetCapture.rawValue(integer, Integer.class, ascii("2147483647"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(ResultSetCapture.rawValue(integer, Integer.class, ascii("2147483648"))).as("beyond an int").isNull();
        assertThat(ResultSetCapture.rawValue(integer, Integer.class, ascii("99999999999999"))).as("beyond an int").isNull();
        assertThat(ResultSetCapture.rawValue(integer, Long.class, ascii("4294967295"))).isEqualTo(4294967295L);
        assertThat(ResultSetCapture.rawValue(integer, Long.class, ascii("-9223372036854775808"))).isEqualTo(Long.MIN_VALUE);
        assertThat(ResultSetCapture.rawValue(integer, Long.class, ascii("18446744073709551615"))).as("beyond a long").isNull();
        assertThat(ResultSetCapture.rawValue(integer, java.math.BigInteger.class, ascii("1"))).as("not built").isNull();
        assertThat(ResultSetCapture.rawValue(integer, Boolean.class, ascii("1"))).as("TINYINT(1)").isNull();
        assertThat(ResultSetCapture.rawValue(integer, Integer.class, ascii("007"))).as("ZEROFILL").isNull();
        assertThat(ResultSetCapture.rawValue(integer, Long.class, ascii("-0"))).isNull();
        assertThat(ResultSetCapture.rawValue(integer, Long.class, null)).isNull();
        int decimal = ResultSetCapture.TextRules.DECIMAL;
        for (String text : new String[] {"0", "0.00", "-0.05", "99999999.99", "-999999999999999999.5",
            "123456789012345678901234567890.123456789", "0.000001"}) {
            Object built = ResultSetCapture.rawValue(decimal, java.math.BigDecimal.class, ascii(text));
            assertThat(built).as(text).isEqualTo(new java.math.BigDecimal(text));
            assertThat(built).as(text).hasToString(text);
        }
        assertThat(ResultSetCapture.rawValue(decimal, java.math.BigDecimal.class, ascii("0.0000001"))).as("1E-7").isNull();
        assertThat(ResultSetCapture.rawValue(decimal, java.math.BigDecimal.class, ascii("-0.00"))).isNull();
        assertThat(ResultSetCapture.rawValue(decimal, java.math.BigDecimal.class, ascii("-12.30")))
                .isEqualTo(new java.math.BigDecimal("-12.30")).extracting(d -> ((java.math.BigDecimal) d).scale()).isEqualTo(2);
        int string = ResultSetCapture.TextRules.STRING;
        assertThat(ResultSetCapture.rawValue(string, String.class, ascii("it's 7\\ \"ok\"~"))).isEqualTo("it's 7\\ \"ok\"~");
        assertThat(ResultSetCapture.rawValue(string, String.class, ascii(""))).isEqualTo("");
        assertThat(ResultSetCapture.rawValue(string, String.class, "café".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .as("not ASCII: the real getters").isNull();
        assertThat(ResultSetCapture.rawValue(string, String.class, null)).isNull();
        assertThat(ResultSetCapture.rawValue(string, byte[].class, ascii("a"))).as("not a text").isNull();
        int datetime = ResultSetCapture.TextRules.DATETIME;
        assertThat(ResultSetCapture.rawValue(datetime, java.time.LocalDateTime.class, ascii("2024-02-29 23:58:07")))
                .isEqualTo(java.time.LocalDateTime.of(2024, 2, 29, 23, 58, 7));
        assertThat(ResultSetCapture.rawValue(datetime, java.time.LocalDateTime.class, ascii("2023-02-29 10:00:00")))
                .as("no such day").isNull();
        assertThat(ResultSetCapture.rawValue(datetime, java.time.LocalDateTime.class, ascii("2024-02-29 23:58:07.5")))
                .as("a fraction").isNull();
        assertThat(ResultSetCapture.rawValue(datetime, java.time.LocalDateTime.class, ascii("0000-00-00 00:00:00")))
                .as("zero date").isNull();
        assertThat(ResultSetCapture.rawValue(datetime, java.sql.Timestamp.class, ascii("2024-02-29 23:58:07"))).isNull();
        assertThat(ResultSetCapture.rawValue(ResultSetCapture.TextRules.TIMESTAMP, java.time.LocalDateTime.class,
                ascii("2024-02-29 23:58:07"))).as("time zones in play").isNull();
        assertThat(ResultSetCapture.rawValue(ResultSetCapture.TextRules.DATE, java.sql.Date.class, ascii("2024-02-29"))).isNull();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void onlyAnIntegersCanonicalTextIsItsOwnText() {
        for (String canonical : new String[] {"0", "7", "-7", "2147483647", "-9223372036854775808", "18446744073709551615"}) {
            assertThat(ResultSetCapture.rawInteger(canonical.getBytes(StandardCharsets.US_ASCII))).isEqualTo(canonical);
        }
        for (String other : new String[] {"", "-", "-0", "007", "00", "1.0", "1e3", "+1", " 1", "0x1"}) {
            assertThat(ResultSetCapture.rawInteger(other.getBytes(StandardCharsets.US_ASCII))).as(other).isNull();
        }
        assertThat(ResultSetCapture.rawInteger(null)).isNull();
    }

    @Test
    void aDecimalsTextIsItsOwnWhereBigDecimalToStringGivesItBack() {
        for (String plain : new String[] {"0", "0.00", "12", "-12.30", "0.05", "0.000001", "0.0000010", "-0.000001",
            "99999999.99", "123456789012345678901234567890.123456789", "1.0000000000"}) {
            assertThat(ResultSetCapture.rawDecimal(plain.getBytes(StandardCharsets.US_ASCII))).as(plain).isEqualTo(plain);
            assertThat(new java.math.BigDecimal(plain).toString()).as("BigDecimal.toString of " + plain).isEqualTo(plain);
        }
        for (String other : new String[] {"0.0000001", "0.00000000", "0E-8", "1E+3", "-0.00", "-0", "007.5", "00",
            "1.", ".5", "+1", "1.2.3", " 1", "", "-", "1e3"}) {
            assertThat(ResultSetCapture.rawDecimal(other.getBytes(StandardCharsets.US_ASCII))).as(other).isNull();
        }
        assertThat(ResultSetCapture.rawDecimal(null)).isNull();
    }

    @Test
    void aDecimalTextSpellsExactlyTheNumberWhoseToStringItIs() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("0", "0.00", "12", "-12.30", "0.05",
                "0.000001", "-0.000001", "99999999.99", "999999999999999999", "-999999999999999999", "1.0000000000",
                "123456789012345678901234567890.123456789", "9223372036854775807", "18446744073709551616"));
        for (int i = 0; i < 20_000; i++) {
            texts.add(new java.math.BigDecimal(java.math.BigInteger.valueOf(random.nextLong()).shiftRight(random.nextInt(64)),
                    random.nextInt(12)).toString());
        }
        for (String text : texts) {
            if (ResultSetCapture.rawDecimal(text.getBytes(StandardCharsets.US_ASCII)) == null) {
                continue;
            }
            java.math.BigDecimal same = new java.math.BigDecimal(text);
            // the same number at other scales, a neighbour, and a wider number that truncates to it as a long
            for (java.math.BigDecimal d : new java.math.BigDecimal[] {same, same.setScale(same.scale() + 1),
                same.scale() > 0 ? same.setScale(same.scale() - 1, java.math.RoundingMode.DOWN) : same.movePointLeft(1),
                same.add(java.math.BigDecimal.ONE.movePointLeft(same.scale())),
                new java.math.BigDecimal(same.unscaledValue().add(java.math.BigInteger.ONE.shiftLeft(64)), same.scale())}) {
                boolean spells = ResultSetCapture.spells(text, d);
                assertThat(spells).as(text + " spells " + d.toPlainString() + " (scale " + d.scale() + ")")
                        .isEqualTo(text.equals(d.toString()) && text.replace("-", "").replace(".", "").length() <= 18);
            }
        }
    }
}
