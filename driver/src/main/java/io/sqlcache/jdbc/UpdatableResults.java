package io.sqlcache.jdbc;

import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.util.Set;

/**
 * An updatable result set of the real driver writes rows through {@code updateRow},
 * {@code insertRow} and {@code deleteRow}, which no SQL text of ours shows. The wrapper tells the
 * connection after each of those that the tables the query read were written (bumped at once in
 * autocommit, at commit in a transaction), before the call returns: I1. A dynamic proxy keeps
 * this small: updatable result sets are rare and every other method only delegates.
 */
final class UpdatableResults {

    private static final Set<String> WRITES = Set.of("updateRow", "insertRow", "deleteRow");

    private UpdatableResults() {
    }

    static ResultSet wrap(ResultSet rs, CachingConnection conn, SqlAnalysis query) {
        if (rs == null) {
            return null;
        }
        // the tables a query on a view or a join reads may be the ones written: bump all of them,
        // or the epoch when the query's tables are unknown
        SqlAnalysis write = new SqlAnalysis(StatementKind.WRITE, Set.of(), query.tablesRead(),
                query.tablesRead().isEmpty(), "updatable result set", query.cacheText(), null, null, null);
        return (ResultSet) Proxy.newProxyInstance(UpdatableResults.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("toString") && method.getParameterCount() == 0) {
                        return "updatable ResultSet wrapping " + rs;
                    }
                    boolean writes = WRITES.contains(name) && method.getParameterCount() == 0;
                    CachingConnection.Pending pending = writes ? conn.beforeExecute(write, null) : null;
                    try {
                        return method.invoke(rs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (writes) {
                            conn.afterExecute(write, write.cacheText(), pending);
                        }
                    }
                });
    }
}
