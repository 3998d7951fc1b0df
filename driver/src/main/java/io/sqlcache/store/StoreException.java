package io.sqlcache.store;

/** The store failed, timed out, or is skipped by the open circuit breaker. */
public final class StoreException extends Exception {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What a failed asynchronous store call failed with, as a StoreException: the cause under
     * any {@code CompletionException}/{@code ExecutionException} wrapping, itself if it is one,
     * else wrapped. Never null.
     */
    public static StoreException of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof StoreException se ? se : new StoreException("store failed unexpectedly: " + cause, cause);
    }
}
