package io.sqlcache.sql;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which session variables a {@code SET} statement changes, so that the ones that may change
 * results and are not in the fixed session query still become key material. Stateless and
 * thread-safe.
 *
 * <p>Why not read every session variable: hundreds of rows per connection. Why not ignore unknown
 * ones: a variable nobody listed (a future one, or {@code old_mode}, {@code big_tables}…) may still
 * change what a query returns. So a variable named in a {@code SET} on this connection is added
 * to the connection's session query unless it is known either to be read already or to change
 * nothing about the rows (timeouts, logging, checks that only affect writes).
 */
public final class SessionVariables {

    /** Read by the fixed session query of the driver's connection. */
    public static final Set<String> TRACKED = Set.of("autocommit", "time_zone", "character_set_results",
            "character_set_connection", "character_set_client", "collation_connection", "sql_mode", "lc_time_names",
            "div_precision_increment", "group_concat_max_len", "sql_select_limit", "default_week_format",
            "max_sort_length", "transaction_isolation", "tx_isolation");

    /** Known not to change the rows or values a read returns. */
    private static final Set<String> HARMLESS = Set.of("wait_timeout", "interactive_timeout", "net_read_timeout",
            "net_write_timeout", "innodb_lock_wait_timeout", "lock_wait_timeout", "max_execution_time",
            "max_statement_time", "sql_notes", "sql_warnings", "sql_log_bin", "sql_safe_updates",
            "foreign_key_checks", "unique_checks", "transaction_read_only", "tx_read_only", "profiling",
            "long_query_time", "session_track_schema", "session_track_state_change",
            "session_track_system_variables", "session_track_transaction_info", "net_buffer_length",
            "sort_buffer_size", "join_buffer_size", "tmp_table_size", "max_heap_table_size", "read_buffer_size",
            "read_rnd_buffer_size", "optimizer_trace", "lc_messages", "sql_log_off", "slow_query_log",
            "log_slow_verbosity", "innodb_strict_mode", "check_constraint_checks", "auto_increment_increment",
            "auto_increment_offset", "insert_id", "last_insert_id", "timestamp", "rand_seed1", "rand_seed2",
            "identity", "names");

    private static final Pattern QUOTED = Pattern.compile("'(?:[^'\\\\]|\\\\.|'')*'|\"(?:[^\"\\\\]|\\\\.|\"\")*\"|`[^`]*`");
    private static final Pattern PARENS = Pattern.compile("\\([^()]*\\)");
    /** One assignment: at the start of the list or after a comma, an optional scope, a name, {@code =} or {@code :=}. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?:^|,)\\s*(GLOBAL\\s+|SESSION\\s+|LOCAL\\s+|@@GLOBAL\\.|@@SESSION\\.|@@LOCAL\\.|@@)?"
                    + "([A-Za-z_][A-Za-z0-9_]*)\\s*:?=", Pattern.CASE_INSENSITIVE);
    private static final Pattern SET = Pattern.compile("(?is)^\\s*SET\\s+(.*)$");

    private SessionVariables() {
    }

    /**
     * The session variables {@code sql} assigns that may change results and are not read by the
     * fixed session query, lowercased; empty for anything else (user variables, {@code GLOBAL}
     * ones, {@code SET NAMES}, {@code SET TRANSACTION}…). Never null.
     */
    public static Set<String> untrackedAssignedBy(String sql) {
        Set<String> out = new TreeSet<>();
        for (String name : assignedBy(sql)) {
            if (!TRACKED.contains(name) && !HARMLESS.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Whether {@code sql} assigns the session's isolation level ({@code tx_isolation}, {@code transaction_isolation}). */
    public static boolean assignsIsolation(String sql) {
        Set<String> names = assignedBy(sql);
        return names.contains("tx_isolation") || names.contains("transaction_isolation");
    }

    /**
     * Every session variable {@code sql} assigns, lowercased; empty for anything else (user
     * variables, {@code GLOBAL} ones, {@code SET TRANSACTION}…). Never null.
     */
    public static Set<String> assignedBy(String sql) {
        Set<String> out = new TreeSet<>();
        Matcher set = SET.matcher(sql);
        if (!set.matches()) {
            return out;
        }
        if (set.group(1).regionMatches(true, 0, "STATEMENT", 0, 9)) {
            // SET STATEMENT x=1 FOR …: the settings last for that one statement only
            return out;
        }
        String body = QUOTED.matcher(set.group(1)).replaceAll("''");
        for (String prev = null; !body.equals(prev); ) {
            prev = body;
            body = PARENS.matcher(body).replaceAll("0");
        }
        Matcher m = ASSIGNMENT.matcher(body);
        while (m.find()) {
            String scope = m.group(1) == null ? "" : m.group(1).toUpperCase(Locale.ROOT);
            if (scope.startsWith("GLOBAL") || scope.startsWith("@@GLOBAL")) {
                continue;
            }
            out.add(m.group(2).toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
