package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** The temporal text parsers the getters convert through (the server's text forms). */
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
}
