package io.sqlcache.core;

/**
 * Test hooks at the two points of the read path where a concurrent write makes the classic
 * cache-aside race: after the versions were read (before the database query) and before the
 * rows are stored. Tests set them to pause there on purpose; unset (null) they cost one volatile
 * read. Package-private: only tests in {@code io.sqlcache.core} can set them.
 */
final class RaceHooks {

    /** Runs on a miss after the version snapshot was taken, before the query goes to the database. */
    static volatile Runnable afterSnapshot;
    /** Runs after the database answered a miss, before its rows are stored under the snapshot. */
    static volatile Runnable beforeStore;

    /**
     * A deliberately naive build, for the tests that must show they would catch one: REPEATABLE
     * READ transactions are served as if READ COMMITTED (any current entry, no snapshot taken).
     */
    static volatile boolean naiveRepeatableRead;

    private RaceHooks() {
    }

    static void run(Runnable hook) {
        if (hook != null) {
            hook.run();
        }
    }
}
