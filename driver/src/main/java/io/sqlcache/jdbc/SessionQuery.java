package io.sqlcache.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The one query that reads a connection's session state: the current schema, autocommit, every
 * setting that shapes results, the account and role, and the isolation level (last). Thread-safe:
 * its only state is which server family's variant worked last.
 */
final class SessionQuery {

    /**
     * Session settings that change the rows or how their values are encoded (part of every key),
     * and who reads: CURRENT_USER() is the account the server checks privileges against (two
     * accounts can share a user name), the active role changes them too (SET ROLE).
     */
    private static final String SESSION_QUERY = "SELECT DATABASE(), @@session.autocommit, @@session.time_zone,"
            + " @@session.character_set_results, @@session.character_set_connection, @@session.collation_connection,"
            + " @@session.sql_mode, @@session.lc_time_names, @@session.div_precision_increment,"
            + " @@session.group_concat_max_len, @@session.sql_select_limit, @@session.default_week_format,"
            + " @@session.character_set_client, @@session.max_sort_length, CURRENT_USER(), ";
    /**
     * The variants of the tail of the session query, tried in order until one works: MySQL 8
     * knows only transaction_isolation, MariaDB before 11.1 only tx_isolation; MySQL 5.7 has no
     * roles (no CURRENT_ROLE()), so NULL stands for "no role".
     */
    private static final String[] SESSION_QUERY_TAILS = {
        "CURRENT_ROLE(), @@session.transaction_isolation", "CURRENT_ROLE(), @@session.tx_isolation",
        "NULL, @@session.transaction_isolation", "NULL, @@session.tx_isolation"};
    private static volatile int sessionQueryVariant;

    private SessionQuery() {
    }

    /**
     * Runs the session query on {@code st}, with the variables a SET made key material too
     * ({@code extraVariables}: names from {@link io.sqlcache.sql.SessionVariables}' pattern only).
     */
    static ResultSet run(Statement st, Set<String> extraVariables) throws SQLException {
        StringBuilder extras = new StringBuilder();
        for (String v : extraVariables) {
            // names come from SessionVariables' pattern: letters, digits and underscores only
            extras.append("@@session.").append(v).append(", ");
        }
        int variant = sessionQueryVariant;
        try {
            return st.executeQuery(SESSION_QUERY + extras + SESSION_QUERY_TAILS[variant]);
        } catch (SQLException e) {
            // another server family: remember what works, the next connection most likely goes to the same server
            SQLException last = e;
            for (int other = 0; other < SESSION_QUERY_TAILS.length; other++) {
                if (other == variant) {
                    continue;
                }
                try {
                    ResultSet rs = st.executeQuery(SESSION_QUERY + extras + SESSION_QUERY_TAILS[other]);
                    sessionQueryVariant = other;
                    return rs;
                } catch (SQLException again) {
                    last = again;
                }
            }
            throw last;
        }
    }
}
