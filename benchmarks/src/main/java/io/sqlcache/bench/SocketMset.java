package io.sqlcache.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One MSET of two keys over a plain blocking socket, RESP written by hand: the calling thread
 * writes the command and reads the reply itself, as a client without an I/O thread would.
 */
final class SocketMset implements AutoCloseable {

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] command;
    private final byte[] reply = new byte[64];
    private boolean pongDue;

    SocketMset(String key1, String key2, byte[] value) throws IOException {
        URI uri = URI.create(BenchEnv.REDIS_URL);
        socket = new Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("*5\r\n$4\r\nMSET\r\n".getBytes(StandardCharsets.US_ASCII));
        for (String k : new String[] {key1, key2}) {
            byte[] key = k.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + key.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(key);
            b.writeBytes(("\r\n$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(value);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        command = b.toByteArray();
    }

    /** Sends a PING and leaves its reply to be read by the next {@link #mset} or {@link #readPong}. */
    void ping() throws IOException {
        out.write(PING);
        out.flush();
        pongDue = true;
    }

    /** Reads the reply of the last {@link #ping}, if not read yet. */
    void readPong() throws IOException {
        if (!pongDue) {
            return;
        }
        pongDue = false;
        int n = 0;
        while (n < 7) {
            int r = in.read(reply, n, 7 - n);
            if (r < 0) {
                throw new EOFException("Redis closed the connection");
            }
            n += r;
        }
        if (reply[0] != '+' || reply[1] != 'P') {
            throw new IOException("unexpected PING reply: " + new String(reply, 0, n, StandardCharsets.US_ASCII));
        }
    }

    /** Sends the MSET and reads its "+OK\r\n" (after a PING's reply still due); anything else is an error. */
    void mset() throws IOException {
        out.write(command);
        out.flush();
        readPong();
        int n = 0;
        while (n < 5) {
            int r = in.read(reply, n, reply.length - n);
            if (r < 0) {
                throw new EOFException("Redis closed the connection");
            }
            n += r;
        }
        if (n != 5 || reply[0] != '+' || reply[1] != 'O' || reply[2] != 'K') {
            throw new IOException("unexpected MSET reply: "
                    + new String(reply, 0, n, StandardCharsets.US_ASCII));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
