package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.SimpleTimeZone;
import java.util.SplittableRandom;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * {@link WallClock#millis} against the calendar Connector/J uses, for every zone the JDK knows:
 * around each of its transitions (in gaps and overlaps, where the fast path must step aside) and
 * at random wall times from 1800 to 2100, plus the zones it must not trust by name.
 */
class WallClockTest {

    /** Offsets around a transition's local time: inside, at and beside gaps and overlaps. */
    private static final long[] AROUND_SECONDS = {-86_400, -7_200, -3_601, -3_600, -1_800, -1, 0, 1, 900, 1_800,
        2_700, 3_599, 3_600, 3_601, 5_400, 7_200, 86_400};

    @Test
    void equalsTheCalendarAroundEveryTransitionOfEveryZone() {
        long checked = 0;
        for (String id : TimeZone.getAvailableIDs()) {
            TimeZone tz = TimeZone.getTimeZone(id);
            ZoneRules rules = tz.toZoneId().getRules();
            for (ZoneOffsetTransition tr : transitions(rules)) {
                for (LocalDateTime edge : List.of(tr.getDateTimeBefore(), tr.getDateTimeAfter())) {
                    for (long delta : AROUND_SECONDS) {
                        LocalDateTime t = edge.plusSeconds(delta);
                        assertSame(tz, t, 0);
                        assertSame(tz, t, 999);
                        checked += 2;
                    }
                }
            }
        }
        assertThat(checked).as("wall times checked").isGreaterThan(100_000);
    }

    @Test
    void equalsTheCalendarAtRandomTimesInEveryZone() {
        SplittableRandom random = new SplittableRandom(20261126);
        long from = LocalDateTime.of(1800, 1, 1, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC);
        long to = LocalDateTime.of(2100, 1, 1, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC);
        for (String id : TimeZone.getAvailableIDs()) {
            TimeZone tz = TimeZone.getTimeZone(id);
            for (int i = 0; i < 300; i++) {
                LocalDateTime t = LocalDateTime.ofEpochSecond(random.nextLong(from, to), 0, java.time.ZoneOffset.UTC);
                assertSame(tz, t, random.nextInt(1000));
            }
        }
    }

    @Test
    void theDefaultZoneAndCustomOffsetsToo() {
        for (TimeZone tz : List.of(TimeZone.getDefault(), TimeZone.getTimeZone("GMT+05:30"),
                TimeZone.getTimeZone("GMT-09:45"), TimeZone.getTimeZone("UTC"))) {
            assertSame(tz, LocalDateTime.of(2024, 3, 10, 2, 30, 0), 0);
            assertSame(tz, LocalDateTime.of(1970, 1, 1, 0, 0, 0), 0);
            assertSame(tz, LocalDateTime.of(2037, 12, 31, 23, 59, 59), 999);
        }
    }

    @Test
    void aZoneOfAnotherClassOrWithAChangedRawOffsetIsNotTakenByItsName() {
        // same id as a tzdb zone, other rules: must not be answered with Europe/Paris's rules
        TimeZone fake = new SimpleTimeZone(5 * 3_600_000, "Europe/Paris");
        LocalDateTime summer = LocalDateTime.of(2024, 7, 1, 12, 0, 0);
        assertSame(fake, summer, 0);
        assertThat(WallClock.millis(fake, 2024, 7, 1, 12, 0, 0, 0))
                .isEqualTo(Instant.parse("2024-07-01T07:00:00Z").toEpochMilli());

        TimeZone shifted = TimeZone.getTimeZone("Europe/Paris");
        shifted.setRawOffset(3 * 3_600_000);
        assertSame(shifted, summer, 0);
        assertSame(shifted, LocalDateTime.of(2024, 1, 15, 8, 0, 0), 0);
        // and the unmodified zone of that id is still fast and right afterwards
        assertSame(TimeZone.getTimeZone("Europe/Paris"), summer, 0);
    }

    @Test
    void lenientFieldsAreNormalizedAsTheCalendarDoes() {
        TimeZone tz = TimeZone.getTimeZone("America/New_York");
        assertThat(WallClock.millis(tz, 2024, 2, 30, 24, 0, 0, 0))
                .isEqualTo(WallClock.calendarMillis(tz, 2024, 2, 30, 24, 0, 0, 0))
                .isEqualTo(WallClock.calendarMillis(tz, 2024, 3, 2, 0, 0, 0, 0));
    }

    private static void assertSame(TimeZone tz, LocalDateTime t, int ms) {
        int y = t.getYear();
        long fast = WallClock.millis(tz, y, t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(),
                t.getSecond(), ms);
        long calendar = WallClock.calendarMillis(tz, y, t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                t.getMinute(), t.getSecond(), ms);
        assertThat(fast).as("%s at %s.%03d", tz.getID(), t, ms).isEqualTo(calendar);
    }

    /** A zone's transitions from 1895 to 2045, including those of its last rules. */
    private static List<ZoneOffsetTransition> transitions(ZoneRules rules) {
        List<ZoneOffsetTransition> out = new ArrayList<>();
        Instant from = Instant.parse("1895-01-01T00:00:00Z");
        Instant to = Instant.parse("2045-01-01T00:00:00Z");
        ZoneOffsetTransition tr = rules.nextTransition(from);
        while (tr != null && tr.getInstant().isBefore(to)) {
            out.add(tr);
            tr = rules.nextTransition(tr.getInstant());
        }
        return out;
    }
}
