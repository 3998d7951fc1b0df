package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.SimpleTimeZone;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The getters' memo: what one result set converted is served to the next one over the same rows,
 * and must be exactly what a cold conversion gives, whatever the callers did with their copies,
 * whatever zone they ask in, and however many read at once. Every expected value comes from a
 * result set over a fresh {@link CachedRows} of the same cells, whose memo is empty.
 */
class GetterMemoTest {

    private static final int ID = 1;
    private static final int DEC = 2;
    private static final int DT = 3;
    private static final int TIME = 4;
    private static final int DATE = 5;
    private static final int BIN = 6;
    private static final int TEXT = 7;

    private static ColumnMeta column(String name, int type, String typeName, String className, int precision) {
        return new ColumnMeta("test", "", "t", name, name, type, typeName, className, precision, 0, 1, true, precision,
                false, false, false, true, false, true, false);
    }

    private static final List<ColumnMeta> COLUMNS = List.of(
            column("id", Types.INTEGER, "INT", "java.lang.Integer", 11),
            column("dec", Types.DECIMAL, "DECIMAL", "java.math.BigDecimal", 10),
            column("dt", Types.TIMESTAMP, "DATETIME", "java.time.LocalDateTime", 26),
            column("tm", Types.TIME, "TIME", "java.sql.Time", 10),
            column("d", Types.DATE, "DATE", "java.sql.Date", 10),
            column("bin", Types.VARBINARY, "VARBINARY", "[B", 16),
            column("txt", Types.VARCHAR, "VARCHAR", "java.lang.String", 40));

    /** Two rows; the first has a local time that New York skips (its DST gap), where zones matter most. */
    private static final List<Object[]> VALUES = List.of(
            new Object[] {7, new BigDecimal("12.50"), LocalDateTime.of(2024, 3, 10, 2, 30, 0, 123_456_000),
                Time.valueOf("23:59:59"), Date.valueOf("2024-02-29"), new byte[] {1, 2, 3}, "2024-06-15 12:00:00"},
            new Object[] {-3, new BigDecimal("-0.001"), LocalDateTime.of(1900, 1, 1, 0, 0, 0, 1000),
                Time.valueOf("00:00:01"), Date.valueOf("1000-01-01"), new byte[0], "12:30:00"});

    private static final List<String[]> STRINGS = List.of(
            new String[] {null, null, "2024-03-10 02:30:00.123456", null, null, null, null},
            new String[] {null, null, "1900-01-01 00:00:00.000001", null, null, null, null});

    private static final TimeZone DEFAULT = TimeZone.getDefault();

    @AfterEach
    void restore() {
        TimeZone.setDefault(DEFAULT);
        GetterMemo.beforePublish = null;
    }

    private static CachedRows rows() {
        return new CachedRows(COLUMNS, VALUES, STRINGS);
    }

    @FunctionalInterface
    private interface Read<T> {
        T get(CachedResultSet rs) throws SQLException;
    }

    /** Reads one value of row {@code row} (from 1) through a new result set over {@code rows}. */
    private static Object read(CachedRows rows, int row, Read<?> read) throws SQLException {
        try (CachedResultSet rs = new CachedResultSet(rows, null)) {
            for (int r = 0; r < row; r++) {
                assertThat(rs.next()).isTrue();
            }
            return read.get(rs);
        }
    }

    /** The cold answer: the same read over rows whose memo nobody has filled. */
    private static Object cold(int row, Read<?> read) throws SQLException {
        return read(rows(), row, read);
    }

    @Test
    void aSecondResultSetIsServedTheFirstOnesConversions() throws SQLException {
        CachedRows rows = rows();
        BigDecimal first = (BigDecimal) read(rows, 1, rs -> rs.getBigDecimal(DEC));
        BigDecimal second = (BigDecimal) read(rows, 1, rs -> rs.getBigDecimal(DEC));
        // the very same immutable object: converted once, not once per result set
        assertThat(second).isSameAs(first).isEqualTo(cold(1, rs -> rs.getBigDecimal(DEC)));
        assertThat(read(rows, 1, rs -> rs.getString(ID))).isSameAs(read(rows, 1, rs -> rs.getString(ID)));
        for (int row = 1; row <= 2; row++) {
            for (int pass = 0; pass < 2; pass++) {
                assertThat(read(rows, row, rs -> rs.getInt(ID))).isEqualTo(cold(row, rs -> rs.getInt(ID)));
                assertThat(read(rows, row, rs -> rs.getLong(DEC))).isEqualTo(cold(row, rs -> rs.getLong(DEC)));
                assertThat(read(rows, row, rs -> rs.getDouble(DEC))).isEqualTo(cold(row, rs -> rs.getDouble(DEC)));
                assertThat(read(rows, row, rs -> rs.getString(DT))).isEqualTo(cold(row, rs -> rs.getString(DT)));
                assertThat(read(rows, row, rs -> rs.getTimestamp(DT))).isEqualTo(cold(row, rs -> rs.getTimestamp(DT)));
                assertThat(read(rows, row, rs -> rs.getObject(DT, LocalDateTime.class)))
                        .isEqualTo(cold(row, rs -> rs.getObject(DT, LocalDateTime.class)));
                assertThat(read(rows, row, rs -> rs.getTime(TIME))).isEqualTo(cold(row, rs -> rs.getTime(TIME)));
                assertThat(read(rows, row, rs -> rs.getDate(DATE))).isEqualTo(cold(row, rs -> rs.getDate(DATE)));
                assertThat(read(rows, row, rs -> rs.getBytes(BIN))).isEqualTo(cold(row, rs -> rs.getBytes(BIN)));
            }
        }
    }

    @Test
    void rowsReadOnceKeepNothingAndAnswerAsTheSharedOnes() throws SQLException {
        CachedRows once = rows();
        CachedRows shared = rows();
        try (CachedResultSet a = new CachedResultSet(once, null, false);
                CachedResultSet b = new CachedResultSet(shared, null, true)) {
            while (a.next()) {
                assertThat(b.next()).isTrue();
                for (int c = 1; c <= COLUMNS.size(); c++) {
                    assertThat(a.getString(c)).isEqualTo(b.getString(c));
                    assertThat(a.getBytes(c)).isEqualTo(b.getBytes(c));
                    assertThat(a.getObject(c)).isEqualTo(b.getObject(c));
                }
                assertThat(a.getTimestamp(DT)).isEqualTo(b.getTimestamp(DT));
                assertThat(a.getBigDecimal(DEC)).isEqualTo(b.getBigDecimal(DEC));
                assertThat(a.getDate(DATE)).isEqualTo(b.getDate(DATE));
                assertThat(a.getTime(TIME)).isEqualTo(b.getTime(TIME));
            }
            assertThat(b.next()).isFalse();
        }
        // nothing was kept for the rows read once: a later shared reader starts from an empty memo
        assertThat(GetterMemo.of(once).get(GetterMemo.Kind.TIMESTAMP, 0, DT - 1)).isNull();
        assertThat(GetterMemo.of(once).get(GetterMemo.Kind.CELL, 0, DEC - 1)).isNull();
        assertThat(GetterMemo.of(shared).get(GetterMemo.Kind.TIMESTAMP, 0, DT - 1)).isNotNull();
        assertThat(GetterMemo.none().keeps()).isFalse();
    }

    @Test
    void mutatingWhatAGetterReturnedChangesNothingForTheNextResultSet() throws SQLException {
        CachedRows rows = rows();
        // twice: what a first read converted and what a later one was served from the memo
        for (int pass = 0; pass < 2; pass++) {
            mutateAndReadAgain(rows);
        }
    }

    private static void mutateAndReadAgain(CachedRows rows) throws SQLException {
        for (int row = 1; row <= 2; row++) {
            Timestamp ts = (Timestamp) read(rows, row, rs -> rs.getTimestamp(DT));
            ts.setTime(0);
            ts.setNanos(5);
            Time time = (Time) read(rows, row, rs -> rs.getTime(TIME));
            time.setTime(0);
            Date date = (Date) read(rows, row, rs -> rs.getDate(DATE));
            date.setTime(0);
            Timestamp fromTime = (Timestamp) read(rows, row, rs -> rs.getTimestamp(TIME));
            fromTime.setNanos(7);
            byte[] bytes = (byte[]) read(rows, row, rs -> rs.getBytes(BIN));
            Arrays.fill(bytes, (byte) 99);
            java.util.Date utilDate = (java.util.Date) read(rows, row, rs -> rs.getObject(DT, java.util.Date.class));
            utilDate.setTime(1);

            Timestamp again = (Timestamp) read(rows, row, rs -> rs.getTimestamp(DT));
            assertThat(again).isNotSameAs(ts).isEqualTo(cold(row, rs -> rs.getTimestamp(DT)));
            assertThat(again.getNanos()).isEqualTo(((Timestamp) cold(row, rs -> rs.getTimestamp(DT))).getNanos());
            assertThat(read(rows, row, rs -> rs.getTime(TIME))).isEqualTo(cold(row, rs -> rs.getTime(TIME)));
            assertThat(read(rows, row, rs -> rs.getDate(DATE))).isEqualTo(cold(row, rs -> rs.getDate(DATE)));
            assertThat(read(rows, row, rs -> rs.getTimestamp(TIME))).isEqualTo(cold(row, rs -> rs.getTimestamp(TIME)));
            assertThat(read(rows, row, rs -> rs.getBytes(BIN))).isEqualTo(cold(row, rs -> rs.getBytes(BIN)));
            assertThat(read(rows, row, rs -> rs.getObject(DT, java.util.Date.class)))
                    .isEqualTo(cold(row, rs -> rs.getObject(DT, java.util.Date.class)));
        }
    }

    @Test
    void aCalendarsZoneIsPartOfTheKeyEvenWhenItsOwnerChangesIt() throws SQLException {
        CachedRows rows = rows();
        Calendar newYork = Calendar.getInstance(TimeZone.getTimeZone("America/New_York"));
        Calendar kolkata = Calendar.getInstance(TimeZone.getTimeZone("Asia/Kolkata"));
        Calendar custom = Calendar.getInstance(new SimpleTimeZone(3_600_000, "Custom"));
        Timestamp ny = (Timestamp) read(rows, 1, rs -> rs.getTimestamp(DT, newYork));
        Timestamp ist = (Timestamp) read(rows, 1, rs -> rs.getTimestamp(DT, kolkata));
        assertThat(ist).isNotEqualTo(ny).isEqualTo(cold(1, rs -> rs.getTimestamp(DT, kolkata)));
        assertThat(read(rows, 1, rs -> rs.getTimestamp(DT, newYork))).isEqualTo(ny);
        assertThat(read(rows, 1, rs -> rs.getTime(TIME, custom))).isEqualTo(cold(1, rs -> rs.getTime(TIME, custom)));

        // the zone objects of a Calendar are the caller's and mutable: what was kept is a snapshot
        kolkata.getTimeZone().setRawOffset(-7 * 3_600_000);
        custom.getTimeZone().setRawOffset(-3_600_000);
        Timestamp moved = (Timestamp) read(rows, 1, rs -> rs.getTimestamp(DT, kolkata));
        assertThat(moved).isNotEqualTo(ist).isEqualTo(cold(1, rs -> rs.getTimestamp(DT, kolkata)));
        assertThat(read(rows, 1, rs -> rs.getTime(TIME, custom))).isEqualTo(cold(1, rs -> rs.getTime(TIME, custom)));
    }

    @Test
    void aChangeOfTheDefaultZoneIsSeenByTheNextGetter() throws SQLException {
        CachedRows rows = rows();
        Calendar newYork = Calendar.getInstance(TimeZone.getTimeZone("America/New_York"));
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
        Timestamp tokyo = (Timestamp) read(rows, 1, rs -> rs.getTimestamp(DT));
        Date tokyoDate = (Date) read(rows, 1, rs -> rs.getDate(DATE));
        // a TIME read as a Date with a calendar is the epoch day in the *default* zone
        Date timeAsDate = (Date) read(rows, 1, rs -> rs.getDate(TIME, newYork));
        Date textAsDate = (Date) read(rows, 2, rs -> rs.getDate(TEXT, newYork));

        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Paris"));
        assertThat(read(rows, 1, rs -> rs.getTimestamp(DT))).isNotEqualTo(tokyo)
                .isEqualTo(cold(1, rs -> rs.getTimestamp(DT)));
        assertThat(read(rows, 1, rs -> rs.getDate(DATE))).isNotEqualTo(tokyoDate)
                .isEqualTo(cold(1, rs -> rs.getDate(DATE)));
        assertThat(read(rows, 1, rs -> rs.getDate(TIME, newYork))).isNotEqualTo(timeAsDate)
                .isEqualTo(cold(1, rs -> rs.getDate(TIME, newYork)));
        // and a string column whose text reads as a TIME: the same rule
        assertThat(read(rows, 2, rs -> rs.getDate(TEXT, newYork))).isNotEqualTo(textAsDate)
                .isEqualTo(cold(2, rs -> rs.getDate(TEXT, newYork)));
    }

    @Test
    void aFailedConversionFailsAgainTheSameWay() throws SQLException {
        CachedRows rows = rows();
        String cold = (String) cold(1, rs -> CachedResultSetFidelityIT.outcome(rs, DT, (x, i) -> x.getInt(i)));
        assertThat(cold).startsWith("EX ");
        for (int pass = 0; pass < 2; pass++) {
            assertThat(read(rows, 1, rs -> CachedResultSetFidelityIT.outcome(rs, DT, (x, i) -> x.getInt(i))))
                    .isEqualTo(cold);
            assertThat(read(rows, 1, rs -> rs.getTimestamp(DT))).isEqualTo(cold(1, rs -> rs.getTimestamp(DT)));
        }
    }

    @Test
    void twoReadersThatMissTheSameCellTogetherBothGetItsValue() throws Exception {
        CachedRows rows = rows();
        // a conversion that builds a new object (a DECIMAL's getBigDecimal hands out the captured number itself)
        LocalDateTime expected = (LocalDateTime) cold(1, rs -> rs.getObject(DT, LocalDateTime.class));
        // both readers must have converted before either publishes: each waits for the other
        CyclicBarrier bothConverted = new CyclicBarrier(2);
        GetterMemo.beforePublish = () -> {
            try {
                bothConverted.await(1, TimeUnit.MINUTES); // a guard against a hang, not a timing
            } catch (Exception e) {
                throw new IllegalStateException("the other reader did not miss too", e);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<LocalDateTime> reader = () -> (LocalDateTime) read(rows, 1, rs -> rs.getObject(DT, LocalDateTime.class));
            Future<LocalDateTime> a = pool.submit(reader);
            Future<LocalDateTime> b = pool.submit(reader);
            LocalDateTime x = a.get();
            LocalDateTime y = b.get();
            assertThat(x).isNotSameAs(y).isEqualTo(expected);
            assertThat(y).isEqualTo(expected);
            GetterMemo.beforePublish = null;
            // one of the two was kept, and is served from now on
            LocalDateTime kept = (LocalDateTime) read(rows, 1, rs -> rs.getObject(DT, LocalDateTime.class));
            assertThat(kept == x || kept == y).as("served a published value").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentReadersAllSeeTheColdValues() throws Exception {
        List<Object> expected = new ArrayList<>();
        for (int row = 1; row <= 2; row++) {
            expected.addAll(everything(rows(), row));
        }
        CachedRows shared = rows();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<List<Object>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<List<Object>> seen = new ArrayList<>();
                    for (int n = 0; n < 50; n++) {
                        List<Object> one = new ArrayList<>();
                        for (int row = 1; row <= 2; row++) {
                            one.addAll(everything(shared, row));
                        }
                        seen.add(one);
                    }
                    return seen;
                }));
            }
            start.countDown();
            for (Future<List<List<Object>>> f : results) {
                for (List<Object> one : f.get()) {
                    assertThat(one).isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every kept kind of every column of one row, as comparable values (byte[] as lists). */
    private static List<Object> everything(CachedRows rows, int row) throws SQLException {
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        List<Object> out = new ArrayList<>();
        try (CachedResultSet rs = new CachedResultSet(rows, null)) {
            for (int r = 0; r < row; r++) {
                rs.next();
            }
            for (int c = 1; c <= COLUMNS.size(); c++) {
                int column = c;
                List<Read<Object>> reads = List.of(rs1 -> rs1.getString(column), rs1 -> rs1.getInt(column),
                        rs1 -> rs1.getBigDecimal(column), rs1 -> rs1.getDouble(column), rs1 -> rs1.getBoolean(column),
                        rs1 -> rs1.getTimestamp(column), rs1 -> rs1.getTimestamp(column, utc),
                        rs1 -> rs1.getDate(column), rs1 -> rs1.getTime(column, utc),
                        rs1 -> rs1.getObject(column, LocalDateTime.class),
                        rs1 -> {
                            byte[] b = rs1.getBytes(column);
                            return b == null ? null : Arrays.toString(b);
                        });
                for (Read<Object> read : reads) {
                    out.add(CachedResultSetFidelityIT.outcome(rs, column, (x, i) -> read.get((CachedResultSet) x)));
                }
            }
        }
        return out;
    }
}
