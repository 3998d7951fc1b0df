package io.sqlcache.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking MySQL client for tests that need to send packets no real client sends:
 * framing by hand, login as a user with an empty password (mysql_native_password sends an
 * empty auth response then). Not thread-safe.
 */
final class RawClient implements AutoCloseable {

    private static final int PROTOCOL_41 = 1 << 9;
    private static final int SECURE_CONNECTION = 1 << 15;
    private static final int PLUGIN_AUTH = 1 << 19;
    private static final int CONNECT_WITH_DB = 1 << 3;

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Reads one frame's payload; the first element of the result is the sequence id. */
    byte[] read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int b2 = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] payload = new byte[b0 | b1 << 8 | b2 << 16];
        in.readFully(payload);
        return payload;
    }

    void send(int seq, byte[] payload) throws IOException {
        byte[] frame = new byte[4 + payload.length];
        frame[0] = (byte) payload.length;
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) (payload.length >>> 16);
        frame[3] = (byte) seq;
        System.arraycopy(payload, 0, frame, 4, payload.length);
        out.write(frame);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the greeting and logs in as {@code user} with an empty password; returns the server's final answer. */
    byte[] login(String user, String db) throws IOException {
        read();
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        int caps = PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH | CONNECT_WITH_DB | 1;
        p.write(caps);
        p.write(caps >>> 8);
        p.write(caps >>> 16);
        p.write(caps >>> 24);
        p.writeBytes(new byte[] {0, 0, 0, 1});
        p.write(45);
        p.writeBytes(new byte[23]);
        p.writeBytes(user.getBytes(StandardCharsets.UTF_8));
        p.write(0);
        p.write(0);
        p.writeBytes(db.getBytes(StandardCharsets.UTF_8));
        p.write(0);
        p.writeBytes("mysql_native_password".getBytes(StandardCharsets.US_ASCII));
        p.write(0);
        send(1, p.toByteArray());
        byte[] answer = read();
        while ((answer[0] & 0xFF) == 0xFE && answer.length > 1) {
            // auth switch to native password: with an empty password the answer is empty
            send(3, new byte[0]);
            answer = read();
        }
        return answer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
