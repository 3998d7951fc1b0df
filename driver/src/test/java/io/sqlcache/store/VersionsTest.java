package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A version's wire form reads back as Long.parseLong would read it, and nothing else reads. */
class VersionsTest {

    private static long decode(String text) throws StoreException {
        return Versions.decode("k", text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void everyEncodedVersionDecodesToItself() throws StoreException {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong();
            assertThat(Versions.decode("k", Versions.encode(v))).isEqualTo(v);
        }
        for (long v : new long[] {0, 1, -1, 9, 10, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1}) {
            assertThat(Versions.decode("k", Versions.encode(v))).isEqualTo(v);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"+5", "-0", "007", "-9223372036854775808", "9223372036854775807", "+9223372036854775807",
            "00000000000000000000009"})
    void readsWhatLongParseLongReads(String text) throws StoreException {
        assertThat(decode(text)).isEqualTo(Long.parseLong(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
            "1 ", " 1", "1.0", "0x10", "--1", "+-1", "1-", "abc", "12a"})
    void refusesWhatLongParseLongRefuses(String text) {
        assertThatThrownBy(() -> Long.parseLong(text)).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> decode(text)).isInstanceOf(StoreException.class)
                .hasMessageContaining("version key k does not hold a decimal number");
    }
}
