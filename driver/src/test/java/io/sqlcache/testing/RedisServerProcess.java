package io.sqlcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on a free port of 127.0.0.1, no persistence, for tests that
 * need to kill, pause or inspect Redis without disturbing the shared one.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *     String uri = redis.uri();   // redis://127.0.0.1:<port>
 *     redis.kill();               // SIGKILL: connections drop
 *     redis.restart();            // same port, empty data
 *     redis.pause();              // SIGSTOP: connections stay open, nothing answers
 *     redis.resume();             // SIGCONT
 * }
 * }</pre>
 *
 * <p>Not thread-safe: drive it from the test thread. Fails (AssertionError) when
 * {@code redis-server} is not installed or does not answer PING within 10 s.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 10_000;

    private final int port;
    private final List<String> extraArgs;
    private final Path dir;
    private Process process;
    private boolean paused;

    private RedisServerProcess(int port, List<String> extraArgs) throws IOException {
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
        this.dir = Files.createTempDirectory("sqlcache-redis-" + port + "-");
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServerProcess start() {
        return start(List.of());
    }

    /**
     * Starts a server with extra {@code redis-server} arguments (such as
     * {@code --cluster-enabled yes}); its working directory is a fresh temporary directory.
     */
    public static RedisServerProcess start(List<String> extraArgs) {
        try {
            RedisServerProcess r = new RedisServerProcess(freePort(), extraArgs);
            r.launch();
            return r;
        } catch (IOException e) {
            throw new AssertionError("could not start redis-server", e);
        }
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** True while the process runs (also when paused). */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. Does nothing if it is not running. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly(); // SIGKILL on Unix; also ends a stopped process
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server on port " + port + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing redis-server", e);
        }
        process = null;
        paused = false;
    }

    /** Kills the server if it runs, then starts a new empty one on the same port. */
    public void restart() {
        kill();
        try {
            launch();
        } catch (IOException e) {
            throw new AssertionError("could not restart redis-server on port " + port, e);
        }
    }

    /** SIGSTOP: the server keeps its connections but answers nothing until {@link #resume()}. */
    public void pause() {
        signal("-STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("-CONT");
        paused = false;
    }

    /**
     * Sends one command (arguments as strings) on a fresh connection and returns the raw RESP
     * reply, such as {@code "+PONG\r\n"} or a bulk string; for INFO and checks. Fails after 5 s.
     */
    public String command(String... args) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                req.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(s.getInputStream());
        } catch (IOException e) {
            throw new AssertionError("redis-server on port " + port + " did not answer " + String.join(" ", args), e);
        }
    }

    /** Kills the server if it still runs (resuming is not needed: SIGKILL ends a stopped process). */
    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "redis-server on port " + port + (paused ? " (paused)" : "");
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()));
        cmd.addAll(extraArgs);
        Path log = dir.resolve("redis.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("redis-server is not on PATH: apt-get install redis-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("redis-server on port " + port + " exited with " + process.exitValue()
                        + ":\n" + Files.readString(log));
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(20); // polling for readiness, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while starting redis-server", e);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("redis-server on port " + port + " did not answer PING within "
                + START_TIMEOUT_MS + " ms:\n" + Files.readString(log));
    }

    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[16];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new AssertionError("redis-server on port " + port + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("could not run kill " + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling redis-server", e);
        }
    }

    /** A port of 127.0.0.1 free at the time of the call. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Reads one RESP2 reply (simple, error, integer, bulk, or array of those) as text. */
    private static String readReply(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        readReply(in, sb);
        return sb.toString();
    }

    private static void readReply(InputStream in, StringBuilder sb) throws IOException {
        String line = readLine(in);
        sb.append(line).append("\r\n");
        char type = line.charAt(0);
        if (type == '$') {
            int len = Integer.parseInt(line.substring(1));
            if (len >= 0) {
                byte[] b = in.readNBytes(len + 2);
                sb.append(new String(b, StandardCharsets.UTF_8));
            }
        } else if (type == '*') {
            int n = Integer.parseInt(line.substring(1));
            for (int i = 0; i < n; i++) {
                readReply(in, sb);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read(); // '\n'
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed mid-reply");
    }
}
