package io.sqlcache.jdbc;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The epoch millis of wall-clock fields in a {@link TimeZone}, exactly as a lenient
 * {@link GregorianCalendar} computes them, which is how Connector/J builds every
 * {@code java.sql.Date}, {@code Time} and {@code Timestamp}.
 *
 * <p>Why not simply the calendar: a {@code new GregorianCalendar(tz)} looks up its locale's
 * week data and computes every field of the current time before it is even set, then
 * normalizes again: about a microsecond per cell, most of what a {@code getTimestamp} of a
 * cached copy cost (a miss of 100 rows spent a quarter of its caller's time in it). For a
 * JDK zone (the tzdb-backed class {@code TimeZone.getTimeZone} returns) in the years whose
 * transitions both APIs share (1901 to 2036: the calendar's zones stop listing transitions at
 * 2037 and follow a last rule after, which some zones' tzdb predictions do not), a wall time
 * with exactly one valid offset has one answer, the same through {@code java.time}'s rules as
 * through the calendar. Everything
 * else (a gap or an overlap at a transition, a zone of another class, a JDK zone whose raw
 * offset was changed, an earlier or later year, fields out of range) goes through the calendar.
 * {@code WallClockTest} compares both over every zone's transitions and at random times.
 *
 * <p>Stateless apart from a cache of rules by zone id; thread-safe.
 */
final class WallClock {

    /** The class of the JDK's own zones (sun.util.calendar.ZoneInfo), whose rules are tzdb's. */
    private static final Class<?> JDK_ZONE = TimeZone.getTimeZone("UTC").getClass();
    private static final int FIRST_YEAR = 1901;
    private static final int LAST_YEAR = 2036;
    /** Zone ids are a few hundred, custom "GMT+hh:mm" ids a few thousand at most: bounded anyway. */
    private static final int MAX_ZONES = 4096;

    private static final ConcurrentHashMap<String, Rules> RULES = new ConcurrentHashMap<>();
    /** The rules asked for last (a benign race: any published Rules is a right answer for its id). */
    private static volatile Rules last = new Rules("", null, 0);

    private WallClock() {
    }

    /** A zone's java.time rules and the raw offset of the unmodified JDK zone; rules null: never fast. */
    private record Rules(String id, ZoneRules rules, int rawOffset) {
    }

    /**
     * Epoch millis of the wall-clock fields in {@code tz}, as a lenient {@link GregorianCalendar}
     * in {@code tz} with these fields set gives them.
     *
     * @param tz the zone, not null
     * @param mo the month, 1 to 12 (the calendar's own is one less)
     */
    static long millis(TimeZone tz, int y, int mo, int d, int h, int mi, int s, int ms) {
        if (y >= FIRST_YEAR && y <= LAST_YEAR && ms >= 0 && ms < 1000 && tz.getClass() == JDK_ZONE) {
            Rules r = rules(tz);
            if (r.rules() != null && r.rawOffset() == tz.getRawOffset()) {
                try {
                    LocalDateTime t = LocalDateTime.of(y, mo, d, h, mi, s);
                    List<ZoneOffset> offsets = r.rules().getValidOffsets(t);
                    if (offsets.size() == 1) {
                        return t.toEpochSecond(offsets.get(0)) * 1000 + ms;
                    }
                } catch (DateTimeException outOfRange) {
                    // lenient fields (a 24th hour, a 30th of February): the calendar normalizes them
                }
            }
        }
        return calendarMillis(tz, y, mo, d, h, mi, s, ms);
    }

    /** What Connector/J computes: a lenient GregorianCalendar in the zone, cleared, then set. */
    static long calendarMillis(TimeZone tz, int y, int mo, int d, int h, int mi, int s, int ms) {
        Calendar c = new GregorianCalendar(tz);
        c.clear();
        c.set(y, mo - 1, d, h, mi, s);
        c.set(Calendar.MILLISECOND, ms);
        return c.getTimeInMillis();
    }

    private static Rules rules(TimeZone tz) {
        String id = tz.getID();
        Rules r = last;
        // nearly every call asks for the default zone, whose clones share one id string
        if (r.id() == id) {
            return r;
        }
        r = RULES.get(id);
        if (r == null) {
            r = load(id);
            if (RULES.size() < MAX_ZONES) {
                RULES.putIfAbsent(id, r);
            }
        }
        last = r;
        return r;
    }

    private static Rules load(String id) {
        TimeZone canonical = TimeZone.getTimeZone(id);
        if (canonical.getClass() != JDK_ZONE || !canonical.getID().equals(id)) {
            return new Rules(id, null, 0); // an unknown id (getTimeZone answers GMT): never take rules by a name
        }
        try {
            return new Rules(id, canonical.toZoneId().getRules(), canonical.getRawOffset());
        } catch (DateTimeException noRules) {
            return new Rules(id, null, 0);
        }
    }
}
