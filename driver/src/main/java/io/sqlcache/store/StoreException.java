package io.sqlcache.store;

/** The store failed, timed out, or is skipped by the open circuit breaker. */
public final class StoreException extends Exception {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
