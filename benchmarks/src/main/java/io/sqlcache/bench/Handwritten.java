package io.sqlcache.bench;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The cache-aside teams write by hand today, as short as they write it: a Redis GET of a
 * readable key; on a miss, the query on the plain driver, the rows mapped to records, and a
 * SETEX of their JSON for 300 s. The application then reads the records' fields. It has no
 * invalidation at all (a write leaves the old JSON for up to 300 s): that is what it costs,
 * not what it is worth. Not thread-safe.
 */
final class Handwritten implements AutoCloseable {

    record User(int id, String name, String email, String country, BigDecimal score, Timestamp createdAt) {
    }

    record Order(int id, int userId, BigDecimal amount, String status, Timestamp createdAt) {
    }

    record Total(String status, String country, long n, BigDecimal total) {
    }

    private final Shape shape;
    private final String prefix;
    private final PreparedStatement ps;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final ObjectMapper mapper = new ObjectMapper();
    private final JavaType listType;

    Handwritten(Shape shape, Connection db, String prefix) throws SQLException {
        this.shape = shape;
        this.prefix = prefix;
        this.ps = db.prepareStatement(shape.sql);
        this.client = RedisClient.create(BenchEnv.REDIS_URL);
        this.connection = client.connect();
        this.redis = connection.sync();
        Class<?> row = switch (shape) {
            case POINT -> User.class;
            case RANGE -> Order.class;
            case JOIN -> Total.class;
        };
        this.listType = mapper.getTypeFactory().constructCollectionType(List.class, row);
    }

    /** One read of key {@code i}: from Redis when there, else from the database and stored. */
    long read(int i) throws Exception {
        int start = shape.start(i);
        String key = prefix + shape.name().toLowerCase() + ":" + start;
        String json = redis.get(key);
        List<?> rows;
        if (json != null) {
            rows = mapper.readValue(json, listType);
        } else {
            shape.bind(ps, i, 0);
            try (ResultSet rs = ps.executeQuery()) {
                rows = map(rs);
            }
            redis.set(key, mapper.writeValueAsString(rows), SetArgs.Builder.ex(300));
        }
        return consume(rows);
    }

    /**
     * One read that misses, as {@link #read} does on a miss: the GET of a key never stored
     * ({@code salt}, counting up, names it and is bound as the shape's salt, as the driver's
     * miss variant binds it), the query, and the SETEX the caller waits for. Its keys expire.
     */
    long readMiss(int i, long salt) throws Exception {
        String key = prefix + shape.name().toLowerCase() + ":" + shape.start(i) + ":" + salt;
        String json = redis.get(key);
        if (json != null) {
            throw new IllegalStateException("handwritten-miss: " + key + " was stored");
        }
        List<?> rows;
        shape.bind(ps, i, salt);
        try (ResultSet rs = ps.executeQuery()) {
            rows = map(rs);
        }
        redis.set(key, mapper.writeValueAsString(rows), SetArgs.Builder.ex(120));
        return consume(rows);
    }

    private List<?> map(ResultSet rs) throws SQLException {
        List<Object> rows = new ArrayList<>();
        while (rs.next()) {
            rows.add(switch (shape) {
                case POINT -> new User(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBigDecimal(5), rs.getTimestamp(6));
                case RANGE -> new Order(rs.getInt(1), rs.getInt(2), rs.getBigDecimal(3), rs.getString(4),
                        rs.getTimestamp(5));
                case JOIN -> new Total(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBigDecimal(4));
            });
        }
        return rows;
    }

    /** Reads the fields the way {@link Shape#read} reads the columns. */
    private static long consume(List<?> rows) {
        long sum = 0;
        for (Object r : rows) {
            if (r instanceof User u) {
                sum += u.id() + u.name().length() + u.email().length() + u.country().length()
                        + u.score().scale() + u.createdAt().getTime();
            } else if (r instanceof Order o) {
                sum += o.id() + o.userId() + o.amount().scale() + o.status().length() + o.createdAt().getTime();
            } else if (r instanceof Total t) {
                sum += t.status().length() + t.country().length() + t.n() + t.total().scale();
            }
        }
        return sum;
    }

    /** Deletes this baseline's keys. */
    void clear() {
        for (int i = 0; i < Shape.KEYS; i++) {
            redis.del(prefix + shape.name().toLowerCase() + ":" + shape.start(i));
        }
    }

    @Override
    public void close() throws SQLException {
        ps.close();
        connection.close();
        client.shutdown();
    }
}
