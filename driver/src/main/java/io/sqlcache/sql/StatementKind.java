package io.sqlcache.sql;

/** What a statement does, as far as the cache is concerned. */
public enum StatementKind {
    /** A SELECT (or a WITH … SELECT, a parenthesised or UNION query): a read, maybe cacheable. */
    READ,
    /** INSERT, UPDATE, DELETE, REPLACE, LOAD DATA, CALL, and anything that cannot be parsed. */
    WRITE,
    /** CREATE, ALTER, DROP, RENAME, TRUNCATE: writes that also end a transaction implicitly. */
    DDL,
    /** START TRANSACTION, BEGIN. */
    BEGIN,
    /** COMMIT. */
    COMMIT,
    /** ROLLBACK (not ROLLBACK TO SAVEPOINT, which is {@link #OTHER}). */
    ROLLBACK,
    /** USE db: changes the current schema. */
    USE,
    /** SET …: may change session state that shapes results. */
    SET,
    /** Everything else that does not write data (SHOW, EXPLAIN, DESCRIBE, SAVEPOINT, DO, …). */
    OTHER
}
