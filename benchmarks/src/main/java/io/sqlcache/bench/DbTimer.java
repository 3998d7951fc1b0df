package io.sqlcache.bench;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Times what mysql-connector-j spends on each statement, from sending it to having read its
 * whole result: the database's share of a read, with the network. Registered through the URL
 * ({@code queryInterceptors=io.sqlcache.bench.DbTimer}, which the sqlcache driver passes on to the
 * real one), on a direct connection and a sqlcache one alike, so that a read's time outside the
 * database can be compared between them without the database's own variance: a 16 ms join
 * varies by more from one call to the next than a miss adds to it.
 *
 * <p>For {@link CpuSplit}'s one benchmark thread: the total is per thread, read by that thread
 * before and after a slice.
 */
public final class DbTimer implements QueryInterceptor {

    /** The URL parameter that registers it. */
    static final String URL_PARAMETER = "queryInterceptors=" + DbTimer.class.getName();

    /** Per thread: the nanoseconds spent in statements so far, and when the current one started. */
    private static final ThreadLocal<long[]> TOTAL = ThreadLocal.withInitial(() -> new long[2]);

    /** Nanoseconds spent in statements by the calling thread since it started. */
    static long nanos() {
        return TOTAL.get()[0];
    }

    @Override
    public QueryInterceptor init(MysqlConnection conn, Properties props, Log log) {
        return this;
    }

    @Override
    public <T extends Resultset> T preProcess(Supplier<String> sql, Query interceptedQuery) {
        TOTAL.get()[1] = System.nanoTime();
        return null; // run the statement
    }

    @Override
    public <T extends Resultset> T postProcess(Supplier<String> sql, Query interceptedQuery, T originalResultSet,
                                               ServerSession serverSession) {
        long[] t = TOTAL.get();
        t[0] += System.nanoTime() - t[1];
        return null; // keep the original result
    }

    @Override
    public boolean executeTopLevelOnly() {
        return true;
    }

    @Override
    public void destroy() {
    }
}
