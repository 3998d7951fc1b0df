package io.sqlcache.bench;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The three query shapes. Every shape ends with {@code AND ? >= 0}, a salt the optimizer folds
 * away (the driver inlines client-side parameters): a hit binds 0, a miss binds a counter, so
 * each miss has a new key at exactly the cost of the hit's query.
 */
enum Shape {
    /** A primary-key point read of one user: 1 row, 6 columns. */
    POINT("SELECT id, name, email, country, score, created_at FROM bench_users WHERE id = ? AND ? >= 0") {
        @Override
        int start(int i) {
            return 1 + (i * 6151) % BenchData.USERS;
        }
    },
    /** 100 consecutive orders by primary key: 100 rows, 5 columns. */
    RANGE("SELECT id, user_id, amount, status, created_at FROM bench_orders WHERE id >= ? AND ? >= 0"
            + " ORDER BY id LIMIT 100") {
        @Override
        int start(int i) {
            return 1 + (i * 100_003) % (BenchData.ORDERS - 100);
        }
    },
    /** The orders of 1000 users (10,000 rows) joined to their users and grouped: 32 rows, 4 columns. */
    JOIN("SELECT o.status, u.country, COUNT(*) AS n, SUM(o.amount) AS total FROM bench_orders o"
            + " JOIN bench_users u ON u.id = o.user_id WHERE u.id BETWEEN ? AND ? + 999 AND ? >= 0"
            + " GROUP BY o.status, u.country ORDER BY o.status, u.country") {
        @Override
        int start(int i) {
            return 1 + (i * 1000) % (BenchData.USERS - 1000);
        }
    };

    /** How many distinct keys the hit variants cycle through (all stored in setup). */
    static final int KEYS = 16;

    final String sql;

    Shape(String sql) {
        this.sql = sql;
    }

    /** The first parameter of key number {@code i} (0 ≤ i). */
    abstract int start(int i);

    /** Binds key {@code i} and the salt. */
    void bind(PreparedStatement ps, int i, long salt) throws SQLException {
        int start = start(i);
        ps.setInt(1, start);
        if (this == JOIN) {
            ps.setInt(2, start);
            ps.setLong(3, salt);
        } else {
            ps.setLong(2, salt);
        }
    }

    /** Reads every value with the getter an application would use; returns a checksum so nothing is dead code. */
    long read(ResultSet rs) throws SQLException {
        long sum = 0;
        while (rs.next()) {
            switch (this) {
                case POINT -> {
                    sum += rs.getInt(1);
                    sum += rs.getString(2).length() + rs.getString(3).length() + rs.getString(4).length();
                    sum += rs.getBigDecimal(5).scale();
                    sum += rs.getTimestamp(6).getTime();
                }
                case RANGE -> {
                    sum += rs.getInt(1) + rs.getInt(2);
                    sum += rs.getBigDecimal(3).scale();
                    sum += rs.getString(4).length();
                    sum += rs.getTimestamp(5).getTime();
                }
                case JOIN -> {
                    sum += rs.getString(1).length() + rs.getString(2).length();
                    sum += rs.getLong(3);
                    sum += rs.getBigDecimal(4).scale();
                }
                default -> throw new IllegalStateException(name());
            }
        }
        return sum;
    }
}
