package io.sqlcache.core;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.SynchronousQueue;

/**
 * A daemon thread that takes a task only while it is idle: {@link #offer} hands the task over
 * when the thread is waiting for one and says no otherwise, and the caller then runs the task
 * itself. Work leaves the caller's thread only when a thread is free to do it at once; it never
 * queues behind other work, where its wait would grow without bound under load, and a caller
 * that is refused pays one failed compare-and-set.
 *
 * <p>Thread-safe. The thread starts with the instance and lives as long as the JVM.
 */
final class SpareThread {

    private static final System.Logger LOG = System.getLogger(SpareThread.class.getName());

    private final SynchronousQueue<Runnable> handoff = new SynchronousQueue<>();

    /** @param name the thread's name, not null */
    SpareThread(String name) {
        Thread t = new Thread(this::loop, Objects.requireNonNull(name, "name"));
        t.setDaemon(true);
        t.start();
    }

    /**
     * Hands {@code task} to the thread if it is waiting for work.
     *
     * @param task run on the spare thread if this returns true; not null. A RuntimeException
     *             it throws is logged and dropped, so it must complete whatever waits for it in
     *             a finally
     * @return whether the thread took the task; if not, the caller still owns it
     */
    boolean offer(Runnable task) {
        return handoff.offer(Objects.requireNonNull(task, "task"));
    }

    private void loop() {
        for (;;) {
            Runnable task;
            try {
                task = handoff.take();
            } catch (InterruptedException e) {
                return; // nobody interrupts it but a JVM shutting down
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // an Error ends the thread: every later offer is refused and callers run their tasks
                LOG.log(Level.WARNING, "sqlcache: task on " + Thread.currentThread().getName() + " failed", e);
            }
        }
    }
}
