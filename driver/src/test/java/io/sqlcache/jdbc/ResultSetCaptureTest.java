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
}
