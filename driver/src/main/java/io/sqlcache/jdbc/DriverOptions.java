package io.sqlcache.jdbc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Connector/J options under which a cached result set cannot answer every getter as the real
 * driver does (DriverFidelityIT finds them): with one of these set, the connection reads
 * uncached, with the option named as the reason. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@code zeroDateTimeBehavior=CONVERT_TO_NULL|ROUND}: getObject gives null or 0001-01-01
 *       while getString and the numeric getters still see the zero date;</li>
 *   <li>{@code yearIsDateType=false}, {@code connectionTimeZone}/{@code serverTimezone} other than
 *       LOCAL, {@code forceConnectionTimeZoneToSession=true}, {@code preserveInstants=false}: the
 *       temporal getters follow conversions the cached set does not replay;</li>
 *   <li>{@code useServerPrepStmts=true}, and {@code useCursorFetch=true}, which implies it: the
 *       binary protocol changes getBytes of every non-string column.</li>
 * </ul>
 */
final class DriverOptions {

    private static final Pattern UNFAITHFUL = Pattern.compile("(?i)(?:^|[?&{,;\\s])("
            + "zeroDateTimeBehavior=(?:CONVERT_TO_NULL|convertToNull|ROUND)"
            + "|yearIsDateType=false"
            + "|(?:connectionTimeZone|serverTimezone)=(?!LOCAL(?:[&},;\\s]|$))[^&},;\\s]*"
            + "|forceConnectionTimeZoneToSession=true"
            + "|preserveInstants=false"
            + "|useServerPrepStmts=true"
            + "|useCursorFetch=true)");

    private DriverOptions() {
    }

    /**
     * Why reads on a connection with these driver settings must not be cached, or null.
     *
     * @param driverScope the real driver's URL and properties, as the driver's key scope holds them
     */
    static String unfaithful(String driverScope) {
        if (driverScope == null) {
            return null;
        }
        Matcher m = UNFAITHFUL.matcher(driverScope);
        return m.find() ? "driver option " + m.group(1) + " changes values the cache cannot reproduce" : null;
    }
}
