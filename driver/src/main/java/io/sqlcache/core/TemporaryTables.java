package io.sqlcache.core;

import io.sqlcache.sql.TableName;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The temporary tables of one session, as far as the cache must know them: a read that names
 * one is never cached, so a temporary table is never served a real table's rows nor the
 * reverse. Not thread-safe: one per session, used by the session's thread.
 *
 * <p>Names are matched without their schema: a temporary table {@code a.t} makes reads of
 * {@code t} in every schema bypass. That is stricter than the server needs (a temporary table
 * shadows only its own schema's {@code t}) and spares us following which schema was current
 * when it was created, which the proxy cannot always know. Names are kept after DROP TEMPORARY
 * TABLE too: bypassing is cheaper than tracking what a drop un-shadows.
 *
 * <p>CREATE TEMPORARY TABLE sent by the application is seen. One run by a stored procedure, a
 * multi-statement text or anything else whose effects are unknown is not: after such a
 * statement every name a read uses is asked of the session once through its
 * {@link SessionView.Prober} and the answer kept until the next such statement; a name the
 * prober cannot tell about bypasses.
 */
public final class TemporaryTables {

    /** Table names (no schema) of temporary tables seen created or dropped. */
    private final Set<String> known = new HashSet<>();
    /** Names checked to be no temporary table since the last statement with unknown effects. */
    private final Set<TableName> checked = new HashSet<>();
    private boolean unknown;

    /** A CREATE or DROP TEMPORARY TABLE was seen. */
    public void seen(TableName table) {
        known.add(table.name());
    }

    /** A statement ran that may have created temporary tables we did not see. */
    public void mayHaveChanged() {
        unknown = true;
        checked.clear();
    }

    /** The server forgot the session's temporary tables (COM_RESET_CONNECTION, COM_CHANGE_USER). */
    public void reset() {
        known.clear();
        checked.clear();
        unknown = false;
    }

    /**
     * Why a read of {@code tables} (schemas resolved) may not be cached because of temporary
     * tables, or {@code null} when none of them is one.
     */
    public String bypass(Collection<TableName> tables, SessionView.Prober prober) {
        for (TableName t : tables) {
            if (known.contains(t.name())) {
                return "temporary table " + t;
            }
        }
        if (!unknown) {
            return null;
        }
        for (TableName t : tables) {
            if (checked.contains(t)) {
                continue;
            }
            Boolean temporary = prober.isTemporary(t);
            if (temporary == null) {
                return "temporary tables unknown after a procedure call";
            }
            if (temporary) {
                known.add(t.name());
                return "temporary table " + t;
            }
            checked.add(t);
        }
        return null;
    }
}
