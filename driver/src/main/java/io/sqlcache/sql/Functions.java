package io.sqlcache.sql;

import java.util.Locale;
import java.util.Set;

/**
 * Which MySQL function names a cacheable query may call. Stateless.
 *
 * <p>An allowlist, not a denylist: any name not listed here may be a stored function, which
 * can read other tables, depend on the session or write, so it makes a query uncacheable.
 * A function belongs here only if its result depends on its arguments alone (plus session
 * settings the cache key already holds: time zone, character set, sql_mode, lc_time_names).
 */
final class Functions {

    /** Deterministic, session-independent built-ins. */
    private static final Set<String> ALLOWED = Set.of(
            // aggregates
            "COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "BIT_AND", "BIT_OR", "BIT_XOR",
            "STD", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP",
            "JSON_ARRAYAGG", "JSON_OBJECTAGG",
            // window functions
            "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
            "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE",
            // strings
            "CONCAT", "CONCAT_WS", "LOWER", "UPPER", "LCASE", "UCASE", "SUBSTRING", "SUBSTR", "MID",
            "SUBSTRING_INDEX", "LEFT", "RIGHT", "LENGTH", "OCTET_LENGTH", "CHAR_LENGTH",
            "CHARACTER_LENGTH", "BIT_LENGTH", "TRIM", "LTRIM", "RTRIM", "REPLACE", "LPAD", "RPAD",
            "REVERSE", "LOCATE", "INSTR", "POSITION", "FIELD", "FIND_IN_SET", "ELT", "REPEAT",
            "SPACE", "INSERT", "STRCMP", "ASCII", "ORD", "CHAR", "HEX", "UNHEX", "BIN", "OCT",
            "CONV", "QUOTE", "SOUNDEX", "FORMAT", "TO_BASE64", "FROM_BASE64", "REGEXP_LIKE",
            "REGEXP_INSTR", "REGEXP_REPLACE", "REGEXP_SUBSTR", "MAKE_SET", "EXPORT_SET",
            "WEIGHT_STRING", "COLLATION", "CHARSET", "COERCIBILITY",
            // hashes
            "MD5", "SHA", "SHA1", "SHA2", "CRC32",
            // math
            "ABS", "ROUND", "FLOOR", "CEIL", "CEILING", "MOD", "POW", "POWER", "SQRT", "EXP", "LN",
            "LOG", "LOG2", "LOG10", "GREATEST", "LEAST", "SIGN", "TRUNCATE", "PI", "DEGREES",
            "RADIANS", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "ATAN2", "COT", "BIT_COUNT",
            // control flow and types
            "ROW", "IF", "IFNULL", "NULLIF", "COALESCE", "ISNULL", "INTERVAL", "CAST", "CONVERT", "BINARY",
            // dates that do not read the clock
            "DATE", "TIME", "TIMESTAMP", "DATE_FORMAT", "TIME_FORMAT", "YEAR", "MONTH", "DAY",
            "DAYOFMONTH", "DAYOFWEEK", "DAYOFYEAR", "WEEKDAY", "WEEK", "WEEKOFYEAR", "YEARWEEK",
            "QUARTER", "HOUR", "MINUTE", "SECOND", "MICROSECOND", "DAYNAME", "MONTHNAME",
            "DATE_ADD", "DATE_SUB", "ADDDATE", "SUBDATE", "ADDTIME", "SUBTIME", "DATEDIFF",
            "TIMEDIFF", "TIMESTAMPDIFF", "TIMESTAMPADD", "STR_TO_DATE", "EXTRACT", "LAST_DAY",
            "MAKEDATE", "MAKETIME", "PERIOD_ADD", "PERIOD_DIFF", "TO_DAYS", "FROM_DAYS",
            "TO_SECONDS", "SEC_TO_TIME", "TIME_TO_SEC", "GET_FORMAT",
            // JSON
            "JSON_EXTRACT", "JSON_UNQUOTE", "JSON_CONTAINS", "JSON_CONTAINS_PATH", "JSON_LENGTH",
            "JSON_OBJECT", "JSON_ARRAY", "JSON_KEYS", "JSON_TYPE", "JSON_VALID", "JSON_DEPTH",
            "JSON_QUOTE", "JSON_SEARCH", "JSON_VALUE", "JSON_OVERLAPS", "JSON_MERGE_PATCH",
            "JSON_MERGE_PRESERVE", "JSON_SET", "JSON_INSERT", "JSON_REPLACE", "JSON_REMOVE",
            "JSON_ARRAY_APPEND", "JSON_ARRAY_INSERT", "JSON_PRETTY",
            // inet
            "INET_ATON", "INET_NTOA", "INET6_ATON", "INET6_NTOA", "IS_IPV4", "IS_IPV6");

    /**
     * Built-ins known to read the clock, the session, the server or a generator. Not allowed
     * either; listed only so the reason names them as non-deterministic rather than unknown,
     * and so a call to one of them does not count as a possible stored-function write.
     */
    private static final Set<String> NON_DETERMINISTIC = Set.of(
            "NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "CURDATE", "CURTIME",
            "SYSDATE", "UNIX_TIMESTAMP", "UTC_DATE", "UTC_TIME", "UTC_TIMESTAMP", "LOCALTIME",
            "LOCALTIMESTAMP", "FROM_UNIXTIME", "CONVERT_TZ", "RAND", "RANDOM_BYTES", "UUID",
            "UUID_SHORT", "SYS_GUID", "CONNECTION_ID", "LAST_INSERT_ID", "FOUND_ROWS", "ROW_COUNT",
            "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER", "CURRENT_ROLE", "DATABASE",
            "SCHEMA", "VERSION", "GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS", "IS_FREE_LOCK",
            "IS_USED_LOCK", "SLEEP", "BENCHMARK", "NEXTVAL", "LASTVAL", "SETVAL", "LOAD_FILE",
            "VALUES", "DEFAULT", "MASTER_POS_WAIT", "SOURCE_POS_WAIT", "ICU_VERSION",
            "PASSWORD", "ENCRYPT", "AES_ENCRYPT", "AES_DECRYPT", "RANDOM", "NAME_CONST");

    /**
     * Keywords MySQL evaluates as functions without parentheses, which JSqlParser 5.3 reads as
     * plain column names ({@code SELECT CURRENT_USER} is a Column there).
     */
    private static final Set<String> BARE_KEYWORD_FUNCTIONS = Set.of(
            "CURRENT_USER", "CURRENT_ROLE", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
            "LOCALTIME", "LOCALTIMESTAMP", "UTC_DATE", "UTC_TIME", "UTC_TIMESTAMP");

    private Functions() {
    }

    static boolean allowed(String name) {
        return ALLOWED.contains(name.toUpperCase(Locale.ROOT));
    }

    static boolean knownNonDeterministic(String name) {
        return NON_DETERMINISTIC.contains(name.toUpperCase(Locale.ROOT));
    }

    static boolean bareKeywordFunction(String name) {
        return BARE_KEYWORD_FUNCTIONS.contains(name.toUpperCase(Locale.ROOT));
    }
}
