package io.sqlcache.proxy.relay;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.metrics.CacheStats;
import io.sqlcache.sql.TableName;
import io.sqlcache.store.CacheStore;
import io.sqlcache.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Statements the proxy answers itself: {@code SHOW SQLCACHE STATUS}, {@code SQLCACHE FLUSH}
 * and {@code SQLCACHE FLUSH TABLE [db.]t}. Stateless.
 */
final class AdminStatements {

    private static final Pattern STATUS = Pattern.compile("(?is)^\\s*SHOW\\s+SQLCACHE\\s+STATUS\\s*;?\\s*$");
    private static final Pattern FLUSH = Pattern.compile(
            "(?is)^\\s*SQLCACHE\\s+FLUSH(?:\\s+TABLE\\s+`?([A-Za-z0-9_$]+)`?(?:\\s*\\.\\s*`?([A-Za-z0-9_$]+)`?)?)?\\s*;?\\s*$");

    enum Kind { STATUS, FLUSH }

    /** A recognised admin statement; for FLUSH, {@code table} null means everything. */
    record Admin(Kind kind, TableName table) {
    }

    private AdminStatements() {
    }

    /** The admin statement {@code sql} is, or null for any other text (which goes to the server). */
    static Admin parse(String sql) {
        if (!sql.regionMatches(true, skipSpace(sql), "SHOW", 0, 4) && !sql.regionMatches(true, skipSpace(sql), "SQLCACHE", 0, 8)) {
            return null;
        }
        if (STATUS.matcher(sql).matches()) {
            return new Admin(Kind.STATUS, null);
        }
        Matcher m = FLUSH.matcher(sql);
        if (m.matches()) {
            if (m.group(1) == null) {
                return new Admin(Kind.FLUSH, null);
            }
            TableName t = m.group(2) == null ? TableName.of(m.group(1)) : TableName.of(m.group(1), m.group(2));
            return new Admin(Kind.FLUSH, t);
        }
        return null;
    }

    private static int skipSpace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The rows of SHOW SQLCACHE STATUS: (name, value). */
    static List<List<String>> status(CacheRuntime runtime, ProxyContext context) {
        CacheStats s = runtime.stats();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("hits", Long.toString(s.hits())));
        rows.add(List.of("misses", Long.toString(s.misses())));
        rows.add(List.of("coalesced", Long.toString(context.coalescer().coalesced())));
        rows.add(List.of("bypasses", Long.toString(s.totalBypasses())));
        for (Map.Entry<String, Long> e : s.bypasses().entrySet()) {
            rows.add(List.of("bypass: " + e.getKey(), Long.toString(e.getValue())));
        }
        rows.add(List.of("stores", Long.toString(s.stores())));
        rows.add(List.of("invalidations", Long.toString(s.invalidations())));
        rows.add(List.of("store_errors", Long.toString(s.storeErrors())));
        rows.add(List.of("store", runtime.store().describe()));
        try {
            CacheStore.Usage usage = runtime.store().usage();
            String more = usage.complete() ? "" : "+";
            rows.add(List.of("entries", usage.entries() + more));
            rows.add(List.of("bytes", usage.bytes() + more));
        } catch (StoreException e) {
            // the status of a store that is down says so, it does not fail
            rows.add(List.of("entries", "unknown (store unavailable)"));
            rows.add(List.of("bytes", "unknown (store unavailable)"));
        }
        rows.add(List.of("connections", Integer.toString(context.activeConnections())));
        rows.add(List.of("connections_accepted", Long.toString(context.acceptedConnections())));
        rows.add(List.of("connections_refused", Long.toString(context.refusedConnections())));
        rows.add(List.of("protocol_errors", Long.toString(context.protocolErrors())));
        return rows;
    }

    /** Runs a flush (blocking store call: call it off the event loop). */
    static void flush(CacheRuntime runtime, TableName resolvedTable) {
        if (resolvedTable == null) {
            runtime.invalidate(Set.of(), true);
        } else {
            runtime.invalidate(Set.of(resolvedTable), false);
        }
    }
}
