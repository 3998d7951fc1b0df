package io.sqlcache.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** I5: entries are data, not code; and every supported cell type survives the round trip exactly. */
class EntryCodecTest {

    private final EntryCodec codec = new EntryCodec();

    private static ColumnMeta column(String name) {
        return new ColumnMeta("test", null, "ha_t", name, name.toUpperCase(), Types.VARCHAR, "VARCHAR",
                "java.lang.String", 10, 2, 1, true, 10, false, true, false, true, false, true, false);
    }

    private static List<Object> edgeValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Timestamp ts = new Timestamp(-1L);
        ts.setNanos(999_999_999);
        Timestamp ts2 = new Timestamp(1_709_251_199_999L);
        ts2.setNanos(999_999_123);
        List<Object> v = new ArrayList<>(Arrays.asList(
                null, true, false, (byte) -128, (byte) 127, (short) -32768, (short) 32767,
                Integer.MIN_VALUE, Integer.MAX_VALUE, 0, Long.MIN_VALUE, Long.MAX_VALUE, -1L,
                Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0d, Double.MAX_VALUE,
                new BigInteger("18446744073709551615"), BigInteger.ZERO, new BigInteger("-123456789012345678901234567890"),
                new BigDecimal("12345678901234567890123456789012345.123456789012345678901234567890"),
                new BigDecimal("-0.000000000000000000000000000001"), new BigDecimal("1E+10"), new BigDecimal("0.00"),
                "", "héllo 😀 世界 \u0000 \uD83D\uDE00", "x".repeat(70_000),
                new byte[0], all,
                new java.sql.Date(-30_610_224_000_000L), new java.sql.Date(1_709_164_800_000L),
                new Time(45_296_123L), new Time(-1L), ts, ts2,
                LocalDate.MIN, LocalDate.MAX, LocalDate.of(1582, 10, 15),
                LocalTime.MIN, LocalTime.MAX, LocalTime.of(12, 34, 56, 123_456_000),
                LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_999), LocalDateTime.MIN, LocalDateTime.MAX,
                OffsetDateTime.of(2024, 2, 29, 23, 59, 59, 1, ZoneOffset.ofHoursMinutes(-9, -30)),
                OffsetDateTime.MIN, OffsetDateTime.MAX,
                OffsetTime.of(1, 2, 3, 4, ZoneOffset.MAX), OffsetTime.MIN));
        return v;
    }

    private static CacheEntry entryOf(List<Object> row, String[] strings) {
        List<ColumnMeta> columns = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            columns.add(column("c" + i));
        }
        List<Object[]> values = new ArrayList<>();
        values.add(row.toArray());
        values.add(new Object[row.size()]);
        List<String[]> overrides = new ArrayList<>();
        overrides.add(strings);
        overrides.add(null);
        return new CacheEntry("SELECT 1\u0000user".getBytes(StandardCharsets.UTF_8), new long[] {Long.MIN_VALUE, 0, 42},
                1_700_000_000_123L, new CachedRows(columns, values, overrides));
    }

    private static void assertSameEntry(CacheEntry actual, CacheEntry expected) {
        assertThat(actual.keyMaterial()).isEqualTo(expected.keyMaterial());
        assertThat(actual.versions()).isEqualTo(expected.versions());
        assertThat(actual.expiresAtMillis()).isEqualTo(expected.expiresAtMillis());
        assertThat(actual.rows().columns()).isEqualTo(expected.rows().columns());
        assertThat(actual.rows().rowCount()).isEqualTo(expected.rows().rowCount());
        for (int r = 0; r < expected.rows().rowCount(); r++) {
            Object[] e = expected.rows().values().get(r);
            Object[] a = actual.rows().values().get(r);
            assertThat(a).hasSameSizeAs(e);
            for (int c = 0; c < e.length; c++) {
                if (e[c] == null) {
                    assertThat(a[c]).isNull();
                    continue;
                }
                assertThat(a[c]).as("cell %d (%s)", c, e[c].getClass()).isExactlyInstanceOf(e[c].getClass());
                if (e[c] instanceof byte[] b) {
                    assertThat((byte[]) a[c]).isEqualTo(b);
                } else if (e[c] instanceof Float f) {
                    assertThat(Float.floatToRawIntBits((Float) a[c])).isEqualTo(Float.floatToRawIntBits(f));
                } else if (e[c] instanceof Double d) {
                    assertThat(Double.doubleToRawLongBits((Double) a[c])).isEqualTo(Double.doubleToRawLongBits(d));
                } else if (e[c] instanceof BigDecimal d) {
                    // equals, not compareTo: the scale must survive too
                    assertThat(a[c]).isEqualTo(d);
                    assertThat(((BigDecimal) a[c]).scale()).isEqualTo(d.scale());
                } else if (e[c] instanceof Timestamp t) {
                    assertThat(((Timestamp) a[c]).getTime()).isEqualTo(t.getTime());
                    assertThat(((Timestamp) a[c]).getNanos()).isEqualTo(t.getNanos());
                } else {
                    assertThat(a[c]).isEqualTo(e[c]);
                }
            }
            assertThat(actual.rows().strings().get(r)).isEqualTo(expected.rows().strings().get(r));
        }
    }

    private CacheEntry sample() {
        List<Object> values = edgeValues();
        String[] strings = new String[values.size()];
        strings[1] = "1";
        strings[2] = "";
        return entryOf(values, strings);
    }

    @Test
    void everyCellTypeAndEdgeValueRoundTrips() throws Exception {
        CacheEntry e = sample();
        for (Object v : edgeValues()) {
            assertThat(EntryCodec.supports(v)).as("supports %s", v == null ? null : v.getClass()).isTrue();
        }
        assertSameEntry(codec.decode(codec.encode(e)), e);
    }

    @Test
    void metadataWithNullsAndEveryFlagRoundTrips() throws Exception {
        List<ColumnMeta> columns = List.of(
                new ColumnMeta(null, null, null, null, null, Integer.MIN_VALUE, null, null, -1, Integer.MAX_VALUE, 2,
                        false, 0, true, false, true, false, true, false, true),
                new ColumnMeta("", "", "", "", "", Types.BIT, "BIT", "[B", 64, 0, 0, true, 64, false, true, false, true,
                        false, true, false));
        CacheEntry e = new CacheEntry(new byte[0], new long[0], Long.MAX_VALUE, new CachedRows(columns, List.of(), List.of()));
        CacheEntry d = codec.decode(codec.encode(e));
        assertThat(d.rows().columns()).isEqualTo(columns);
        assertThat(d.rows().rowCount()).isZero();
        assertThat(d.keyMaterial()).isEmpty();
        assertThat(d.versions()).isEmpty();
    }

    @Test
    void zeroColumnsAndManyColumnsRoundTrip() throws Exception {
        CacheEntry none = new CacheEntry(new byte[] {1}, new long[] {1}, 0,
                new CachedRows(List.of(), List.of(new Object[0], new Object[0]), Arrays.asList(null, null)));
        assertThat(codec.decode(codec.encode(none)).rows().rowCount()).isEqualTo(2);

        List<Object> wide = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            wide.add(i % 3 == 0 ? null : i % 3 == 1 ? (Object) ("v" + i) : (Object) (long) i);
        }
        CacheEntry e = entryOf(wide, null);
        assertSameEntry(codec.decode(codec.encode(e)), e);
    }

    @Test
    void unsupportedTypesAreRefused() {
        assertThat(EntryCodec.supports(new Object())).isFalse();
        assertThat(EntryCodec.supports(new java.util.Date())).isFalse();
        assertThat(EntryCodec.supports(java.time.Year.of(2024))).isFalse();
        assertThat(EntryCodec.supports(new int[0])).isFalse();
        CacheEntry bad = entryOf(List.of(new StringBuilder("x")), null);
        assertThatThrownBy(() -> codec.encode(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.StringBuilder");
    }

    @Test
    void emptyWrongMagicAndWrongVersionAreRefused() {
        byte[] good = codec.encode(sample());
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(CodecException.class);
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> codec.decode(magic)).isInstanceOf(CodecException.class).hasMessageContaining("magic");
        byte[] version = good.clone();
        version[3] = (byte) (EntryCodec.FORMAT_VERSION + 1);
        assertThatThrownBy(() -> codec.decode(version)).isInstanceOf(CodecException.class).hasMessageContaining("version");
    }

    @Test
    void everyTruncationIsRefused() throws Exception {
        // a smaller entry than sample() keeps this loop fast while covering every field kind
        List<Object> row = new ArrayList<>(edgeValues());
        row.removeIf(v -> v instanceof String s && s.length() > 100 || v instanceof byte[] b && b.length > 100);
        byte[] good = codec.encode(entryOf(row, new String[row.size()]));
        codec.decode(good);
        for (int n = 0; n < good.length; n++) {
            byte[] prefix = Arrays.copyOf(good, n);
            int len = n;
            assertThatThrownBy(() -> codec.decode(prefix)).as("prefix of %d bytes", len).isInstanceOf(CodecException.class);
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] good = codec.encode(sample());
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> codec.decode(longer)).isInstanceOf(CodecException.class).hasMessageContaining("trailing");
    }

    @Test
    void aFlippedTypeTagIsRefusedOrStaysWithinTheSupportedTypes() throws Exception {
        CacheEntry e = entryOf(List.of("abc"), null);
        byte[] good = codec.encode(e);
        // the single cell's tag sits right before its string: find it by the string's bytes
        int tagAt = indexOf(good, "abc".getBytes(StandardCharsets.UTF_8)) - 2;
        assertThat(good[tagAt]).isEqualTo((byte) 11);
        for (int tag = 0; tag < 256; tag++) {
            byte[] forged = good.clone();
            forged[tagAt] = (byte) tag;
            if (tag == 11) {
                continue;
            }
            try {
                CacheEntry d = codec.decode(forged);
                // a forged tag may still spell a valid entry, but only ever of supported cell types
                for (Object[] values : d.rows().values()) {
                    for (Object v : values) {
                        assertThat(EntryCodec.supports(v)).isTrue();
                    }
                }
            } catch (CodecException expected) {
                // the usual outcome
            }
        }
        byte[] unknown = good.clone();
        unknown[tagAt] = (byte) 200;
        assertThatThrownBy(() -> codec.decode(unknown)).isInstanceOf(CodecException.class).hasMessageContaining("tag");
    }

    @Test
    void stockKryoPayloadsOfArbitraryClassesAreRefused() {
        for (Object payload : List.of(new HashMap<>(java.util.Map.of("k", "v")), new Gadget("rm -rf /"), "text",
                new ArrayList<>(List.of(1, 2)))) {
            Kryo stock = new Kryo();
            stock.setRegistrationRequired(false);
            Output out = new Output(1024, -1);
            out.writeBytes(new byte[] {'S', 'Q', 'C', EntryCodec.FORMAT_VERSION});
            stock.writeClassAndObject(out, payload);
            byte[] forged = out.toBytes();
            assertThatThrownBy(() -> codec.decode(forged)).as("forged %s", payload.getClass())
                    .isInstanceOf(CodecException.class);
        }
    }

    @Test
    void hugeForgedLengthsAreRefusedWithoutAllocating() {
        // header, then keyMaterial length = Integer.MAX_VALUE as an unsigned varint
        byte[] forged = {'S', 'Q', 'C', EntryCodec.FORMAT_VERSION, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2};
        assertThatThrownBy(() -> codec.decode(forged)).isInstanceOf(CodecException.class).hasMessageContaining("exceeds");

        // a valid prefix up to the one string cell, then a string length of 2^31 - 2
        byte[] good = codec.encode(entryOf(List.of("abc"), null));
        int lenAt = indexOf(good, "abc".getBytes(StandardCharsets.UTF_8)) - 1;
        byte[] head = Arrays.copyOf(good, lenAt);
        byte[] huge = Arrays.copyOf(head, head.length + 5);
        System.arraycopy(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}, 0, huge, head.length, 5);
        assertThatThrownBy(() -> codec.decode(huge)).isInstanceOf(CodecException.class).hasMessageContaining("exceeds");
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() {
        java.util.Random random = new java.util.Random(42);
        byte[] good = codec.encode(sample());
        for (int i = 0; i < 2000; i++) {
            byte[] b = good.clone();
            for (int k = 0; k < 3; k++) {
                int at = EntryCodec.HEADER_LENGTH + random.nextInt(b.length - EntryCodec.HEADER_LENGTH);
                b[at] = (byte) random.nextInt(256);
            }
            try {
                codec.decode(b);
            } catch (CodecException expected) {
                // refused: fine
            }
        }
    }

    @Test
    void isThreadSafe() throws Exception {
        CacheEntry e = sample();
        byte[] expected = codec.encode(e);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        byte[] b = codec.encode(e);
                        assertThat(b).isEqualTo(expected);
                        assertSameEntry(codec.decode(b), e);
                    }
                } catch (Throwable x) {
                    failures.add(x);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }

    /** Stands in for a deserialization gadget (java.io.File itself cannot be written by Kryo on Java 17). */
    static final class Gadget {
        String command;

        Gadget() {
        }

        Gadget(String command) {
            this.command = command;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
