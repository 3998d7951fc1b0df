package io.sqlcache.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking Redis connection (RESP2) that the calling thread writes and reads itself.
 *
 * <p>Why not Lettuce here: a Lettuce command crosses two threads, the caller hands the write
 * to the I/O thread and the I/O thread hands the reply back, and after the rest that comes
 * before a lookup (a statement, the application's own work) each hand-over wakes an idle core.
 * {@code ColdRoundTrip} measured a blocking socket at about half Lettuce's time for the same
 * MSET, on both machines the benchmarks ran on (benchmarks/DECISIONS.md).
 *
 * <p>Commands are buffered by {@link #command} and its {@code arg} calls and leave with
 * {@link #flush}, so several commands share one write; replies are read in order by
 * {@link #read}. Each read waits until a deadline at most. Any {@link IOException} (a timeout,
 * a closed socket, a reply that is not RESP) leaves the connection in an unknown state: the
 * caller must {@link #close} it.
 *
 * <p>Over TLS ({@code rediss://}, as ElastiCache with encryption in transit) the same, through
 * the JDK's {@link SSLSocket}: {@link #readable} then also looks at the encrypted bytes that
 * wait in the TCP socket, so that a spinning caller sees a reply before it is decrypted.
 *
 * <p>Not thread-safe: one thread at a time (the caller's lock).
 */
final class RespConnection implements AutoCloseable {

    /** Replies up to this size are read through the buffer; larger bulk strings straight into their array. */
    private static final int READ_BUFFER = 16 * 1024;

    private final Socket socket;
    /** The TCP socket's own stream: under TLS, what has arrived but is not decrypted yet. */
    private final InputStream raw;
    private final InputStream in;
    private final OutputStream out;
    private byte[] wbuf = new byte[8 * 1024];
    private int wlen;
    private final byte[] rbuf = new byte[READ_BUFFER];
    private int rpos;
    private int rlim;
    private long deadlineNanos;

    private RespConnection(Socket tcp, Socket socket) throws IOException {
        this.socket = socket;
        this.raw = tcp == socket ? null : tcp.getInputStream();
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * TLS for a connection.
     *
     * @param factory    makes the TLS socket over the TCP one: it decides which certificates are trusted
     * @param verifyHost whether the server's certificate must name the host connected to
     */
    record Tls(SSLSocketFactory factory, boolean verifyHost) {
    }

    /**
     * Connects, authenticates, selects the database and names the connection (so that
     * {@code CLIENT LIST} tells it apart), the three commands in one write, bounded by the timeouts.
     *
     * @param user     the ACL user, or {@code null} for the default user
     * @param password the password, or {@code null} for none
     * @param database the database number, 0 for the default
     * @param name     the connection's name for {@code CLIENT SETNAME}, without spaces
     * @param tls      TLS, or {@code null} for plain TCP; the handshake is bounded by the connect timeout
     * @throws IOException when the server cannot be reached, fails the TLS handshake (its
     *                     certificate is not trusted, say), refuses the credentials or the
     *                     database, or does not answer in time
     */
    static RespConnection open(String host, int port, int connectTimeoutMillis, int commandTimeoutMillis,
                               String user, char[] password, int database, String name, Tls tls) throws IOException {
        Socket tcp = new Socket();
        Socket socket = tcp;
        try {
            tcp.setTcpNoDelay(true);
            tcp.setKeepAlive(true);
            tcp.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            if (tls != null) {
                tcp.setSoTimeout(connectTimeoutMillis);
                SSLSocket ssl = (SSLSocket) tls.factory().createSocket(tcp, host, port, true);
                socket = ssl;
                if (tls.verifyHost()) {
                    SSLParameters p = ssl.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(p);
                }
                ssl.startHandshake();
            }
            RespConnection c = new RespConnection(tcp, socket);
            List<String> sent = new ArrayList<>(3);
            if (password != null) {
                c.command(user == null ? 2 : 3).arg("AUTH");
                if (user != null) {
                    c.arg(user);
                }
                c.arg(new String(password));
                sent.add("AUTH");
            }
            if (database != 0) {
                c.command(2).arg("SELECT").arg(database);
                sent.add("SELECT");
            }
            c.command(3).arg("CLIENT").arg("SETNAME").arg(name);
            sent.add("CLIENT SETNAME");
            c.flush();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commandTimeoutMillis);
            for (String what : sent) {
                Object reply = c.read(deadline);
                if (!"OK".equals(reply)) {
                    throw new IOException(what + " refused: " + reply);
                }
            }
            return c;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- writing

    /** Starts a command of {@code argc} arguments (its name counts); the {@code arg} calls follow. */
    RespConnection command(int argc) {
        ensure(16);
        wbuf[wlen++] = '*';
        decimal(argc);
        return this;
    }

    /** An argument as UTF-8. */
    RespConnection arg(String s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (!ascii) {
            return arg(s.getBytes(StandardCharsets.UTF_8));
        }
        header(n);
        ensure(n + 2);
        // keys and command names are ASCII: one byte per char, no encoder, no copy
        s.getBytes(0, n, wbuf, wlen);
        wlen += n;
        wbuf[wlen++] = '\r';
        wbuf[wlen++] = '\n';
        return this;
    }

    /** An argument as its decimal text. */
    RespConnection arg(long value) {
        return arg(Long.toString(value));
    }

    /** An argument of raw bytes. */
    RespConnection arg(byte[] bytes) {
        header(bytes.length);
        ensure(bytes.length + 2);
        System.arraycopy(bytes, 0, wbuf, wlen, bytes.length);
        wlen += bytes.length;
        wbuf[wlen++] = '\r';
        wbuf[wlen++] = '\n';
        return this;
    }

    private void header(int length) {
        ensure(16);
        wbuf[wlen++] = '$';
        decimal(length);
    }

    /** {@code value} then CRLF; the buffer has room for 13 bytes. */
    private void decimal(int value) {
        if (value < 10) {
            wbuf[wlen++] = (byte) ('0' + value);
        } else {
            byte[] digits = Integer.toString(value).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, wbuf, wlen, digits.length);
            wlen += digits.length;
        }
        wbuf[wlen++] = '\r';
        wbuf[wlen++] = '\n';
    }

    private void ensure(int more) {
        if (wlen + more > wbuf.length) {
            wbuf = Arrays.copyOf(wbuf, Math.max(wbuf.length * 2, wlen + more));
        }
    }

    /** Whether commands wait in the buffer for {@link #flush}. */
    boolean buffered() {
        return wlen > 0;
    }

    /** How many bytes wait in the buffer for {@link #flush}. */
    int bufferedBytes() {
        return wlen;
    }

    /**
     * Writes what was buffered after the first {@code keep} bytes, which stay buffered, in front
     * of whatever is buffered next. Blocks only while the socket's send buffer is full.
     */
    void flushAfter(int keep) throws IOException {
        if (keep < 0 || keep > wlen) {
            throw new IllegalArgumentException("cannot keep " + keep + " of " + wlen + " buffered bytes");
        }
        int n = wlen - keep;
        wlen = keep; // a failed write breaks the connection anyway
        if (n > 0) {
            out.write(wbuf, keep, n);
        }
    }

    /** Writes what is buffered. Blocks only while the socket's send buffer is full. */
    void flush() throws IOException {
        if (wlen > 0) {
            int n = wlen;
            wlen = 0; // a failed write breaks the connection anyway
            out.write(wbuf, 0, n);
            if (wbuf.length > 64 * 1024) {
                wbuf = new byte[8 * 1024]; // a large entry passed through: do not keep its buffer
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * The next reply: a {@code byte[]} (bulk string), {@code null} (nil), a {@code String}
     * (status), a {@code Long} (integer), a {@code List<Object>} (array, nil array as
     * {@code null}), or an {@link Error} (the server refused the command; the connection is fine).
     *
     * @throws SocketTimeoutException when the reply is not complete by {@code deadlineNanos}
     * @throws IOException            when the connection fails or the reply is not RESP
     */
    Object read(long deadlineNanos) throws IOException {
        this.deadlineNanos = deadlineNanos;
        return reply();
    }

    /**
     * Whether bytes of a reply are here to be read without waiting (under TLS, encrypted bytes
     * count too: reading them may wait for the rest of their TLS record).
     */
    boolean readable() throws IOException {
        return rpos < rlim || in.available() > 0 || raw != null && raw.available() > 0;
    }

    /** A reply the server sent as an error: the command failed, the connection is in sync. */
    record Error(String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    private Object reply() throws IOException {
        byte type = next();
        switch (type) {
            case '$': {
                int n = (int) number();
                return n < 0 ? null : bulk(n);
            }
            case '+':
                return line();
            case '-':
                return new Error(line());
            case ':':
                return number();
            case '*': {
                int n = (int) number();
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(reply());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: type byte " + (type & 0xff));
        }
    }

    private byte[] bulk(int n) throws IOException {
        byte[] value = new byte[n];
        int have = Math.min(n, rlim - rpos);
        System.arraycopy(rbuf, rpos, value, 0, have);
        rpos += have;
        while (have < n) {
            if (n - have >= READ_BUFFER) {
                // large: straight into the value, no copy through the buffer
                have += fillInto(value, have, n - have);
            } else {
                fill();
                int k = Math.min(n - have, rlim - rpos);
                System.arraycopy(rbuf, rpos, value, have, k);
                rpos += k;
                have += k;
            }
        }
        if (next() != '\r' || next() != '\n') {
            throw new IOException("bulk string of " + n + " bytes not followed by CRLF");
        }
        return value;
    }

    /** The rest of a line up to CRLF, as ASCII (a status or an error). */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            byte b = next();
            if (b == '\r') {
                if (next() != '\n') {
                    throw new IOException("CR not followed by LF");
                }
                return sb.toString();
            }
            sb.append((char) (b & 0xff));
        }
    }

    /** A signed 64-bit decimal up to CRLF. */
    private long number() throws IOException {
        byte b = next();
        boolean negative = b == '-';
        if (negative) {
            b = next();
        }
        // accumulated negatively: Long.MIN_VALUE has no positive twin
        long value = 0;
        int digits = 0;
        try {
            while (b != '\r') {
                if (b < '0' || b > '9') {
                    throw new IOException("bad number in RESP reply");
                }
                value = Math.subtractExact(Math.multiplyExact(value, 10), b - '0');
                digits++;
                b = next();
            }
            if (digits == 0 || next() != '\n') {
                throw new IOException("bad number in RESP reply");
            }
            return negative ? value : Math.negateExact(value);
        } catch (ArithmeticException e) {
            throw new IOException("number beyond 64 bits in RESP reply");
        }
    }

    private byte next() throws IOException {
        if (rpos == rlim) {
            fill();
        }
        return rbuf[rpos++];
    }

    private void fill() throws IOException {
        rpos = 0;
        rlim = 0;
        int n = fillInto(rbuf, 0, rbuf.length);
        rlim = n;
    }

    /** Reads at least one byte into {@code into}, waiting until the deadline at most. */
    private int fillInto(byte[] into, int offset, int length) throws IOException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("reply not complete in time");
        }
        // whole milliseconds, at least one (0 would mean forever)
        socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
        int n = in.read(into, offset, length);
        if (n < 0) {
            throw new EOFException("connection closed by the server");
        }
        return n;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public String toString() {
        return "RespConnection[" + socket.getRemoteSocketAddress() + "]";
    }
}
