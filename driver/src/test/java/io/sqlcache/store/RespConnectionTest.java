package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The RESP2 codec of {@link RespConnection}: the exact bytes it writes for commands, how it parses
 * each reply type (split, large, pipelined or malformed), its deadline, end of stream, the
 * AUTH / SELECT / CLIENT SETNAME handshake of {@code open} and {@code readable()}. The server is a canned peer on a
 * loopback socket that records what it receives and answers with bytes each test chooses.
 */
@Timeout(30)
final class RespConnectionTest {

    private static final String HOST = "127.0.0.1";
    /** How long a test waits for the other side at most; far more than any run needs. */
    private static final int WAIT_MILLIS = 10_000;
    private static final String NAME = "sqlcache-test";
    /** The CLIENT SETNAME that ends every handshake of {@code open}. */
    private static final String SETNAME = "*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$13\r\nsqlcache-test\r\n";

    private final ExecutorService client = Executors.newSingleThreadExecutor();
    private Peer peer;
    private RespConnection conn;

    @BeforeEach
    void startPeer() throws IOException {
        peer = new Peer();
    }

    @AfterEach
    void stop() throws Exception {
        if (conn != null) {
            conn.close();
        }
        client.shutdownNow();
        peer.close();
    }

    /**
     * The server end of one connection: accepts it, hands the test what the connection wrote and
     * writes what the test gives it from its own thread (so the test may block reading meanwhile).
     */
    private static final class Peer implements AutoCloseable {
        private final ServerSocket server;
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final Future<Socket> accepted;

        Peer() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getByName(HOST));
            accepted = thread.submit(() -> {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                s.setSoTimeout(WAIT_MILLIS);
                return s;
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private Socket socket() throws Exception {
            return accepted.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }

        /** The next {@code n} bytes the connection wrote. */
        byte[] receive(int n) throws Exception {
            byte[] bytes = socket().getInputStream().readNBytes(n);
            assertThat(bytes).as("bytes received before end of stream").hasSize(n);
            return bytes;
        }

        /** Checks that the next bytes the connection wrote are {@code wire} (one char a byte). */
        void expect(String wire) throws Exception {
            assertThat(latin1(receive(wire.length()))).isEqualTo(wire);
        }

        /** Whether the connection closed its end: the next read sees end of stream. */
        boolean closedByClient() throws Exception {
            return socket().getInputStream().read() == -1;
        }

        /** Writes {@code bytes}, {@code chunk} bytes a write, each flushed. */
        Future<?> send(byte[] bytes, int chunk) {
            return thread.submit(() -> {
                OutputStream out = socket().getOutputStream();
                for (int i = 0; i < bytes.length; i += chunk) {
                    out.write(bytes, i, Math.min(chunk, bytes.length - i));
                    out.flush();
                }
                return null;
            });
        }

        Future<?> send(byte[] bytes) {
            return send(bytes, Math.max(1, bytes.length));
        }

        Future<?> send(String wire) {
            return send(bytes(wire));
        }

        /** Closes the server end of the connection (after what was sent before). */
        Future<?> hangUp() {
            return thread.submit(() -> {
                socket().close();
                return null;
            });
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.shutdownNow();
            if (accepted.isDone() && !accepted.isCancelled()) {
                try {
                    accepted.get().close();
                } catch (ExecutionException e) {
                    // never accepted: nothing to close
                }
            }
        }
    }

    /** One char a byte: the wire format written as a Java string, binary bytes as Unicode escapes up to FF. */
    private static byte[] bytes(String wire) {
        return wire.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    }

    /** The connection to the peer, opened without credentials on first use (the peer accepts its name). */
    private RespConnection connection() throws Exception {
        if (conn == null) {
            Future<RespConnection> opening = openInBackground(null, null, 0);
            peer.expect(SETNAME);
            peer.send("+OK\r\n");
            opened(opening);
        }
        return conn;
    }

    /** Opens a connection on another thread, since {@code open} waits for the peer's answers. */
    private Future<RespConnection> openInBackground(String user, String password, int database) {
        char[] pw = password == null ? null : password.toCharArray();
        return client.submit(
                () -> RespConnection.open(HOST, peer.port(), WAIT_MILLIS, WAIT_MILLIS, user, pw, database, NAME, null));
    }

    private RespConnection opened(Future<RespConnection> opening) throws Exception {
        conn = opening.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return conn;
    }

    /**
     * Parses the one reply {@code wire} and checks that it took exactly its bytes: a marker sent
     * right behind it is the next reply.
     */
    private Object parse(String wire) throws Exception {
        RespConnection c = connection();
        peer.send(wire + ":314159\r\n");
        Object reply = c.read(deadline());
        assertThat(c.read(deadline())).as("the reply after").isEqualTo(314_159L);
        return reply;
    }

    /** {@code wire} is no RESP: reading it throws an IOException that is not a timeout. */
    private void assertRejected(String wire, String messagePart) throws Exception {
        RespConnection c = connection();
        peer.send(wire);
        assertThatThrownBy(() -> c.read(deadline()))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining(messagePart);
    }

    /** A read with a 200 ms deadline throws SocketTimeoutException, having waited, but not for long. */
    private void assertReadTimesOut(RespConnection c) throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.read(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)))
                .isInstanceOf(SocketTimeoutException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- writing

    @Test
    void commandIsWrittenAsArrayOfBulkStrings() throws Exception {
        RespConnection c = connection();
        c.command(3).arg("SET").arg("k").arg(new byte[] {1, 2});
        assertThat(c.buffered()).isTrue();
        c.flush();
        assertThat(c.buffered()).isFalse();
        peer.expect("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\u0001\u0002\r\n");
    }

    @Test
    void nonAsciiStringArgumentIsSentAsUtf8WithItsByteLength() throws Exception {
        connection().command(3).arg("GET").arg("\u00e9").arg("cl\u00e9\u20ac").flush(); // "é", "clé€"
        peer.expect("*3\r\n$3\r\nGET\r\n$2\r\n\u00c3\u00a9\r\n$7\r\ncl\u00c3\u00a9\u00e2\u0082\u00ac\r\n");
    }

    @Test
    void longArgumentIsSentAsDecimalText() throws Exception {
        connection().command(4).arg("X").arg(0L).arg(86_400L).arg(-1_234_567_890_123L).flush();
        peer.expect("*4\r\n$1\r\nX\r\n$1\r\n0\r\n$5\r\n86400\r\n$14\r\n-1234567890123\r\n");
    }

    @Test
    void argumentCountAndLengthsOfTenOrMoreAreWrittenInFull() throws Exception {
        RespConnection c = connection().command(12).arg("MGET");
        StringBuilder expected = new StringBuilder("*12\r\n$4\r\nMGET\r\n");
        for (int i = 1; i <= 11; i++) {
            String key = String.format("user:%05d", i); // ten characters
            c.arg(key);
            expected.append("$10\r\n").append(key).append("\r\n");
        }
        c.flush();
        peer.expect(expected.toString());
    }

    @Test
    void twoCommandsBufferedBeforeOneFlushArriveInOrder() throws Exception {
        RespConnection c = connection();
        c.command(2).arg("GET").arg("a");
        c.command(3).arg("SET").arg("b").arg("c");
        c.flush();
        peer.expect("*2\r\n$3\r\nGET\r\n$1\r\na\r\n" + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nc\r\n");
    }

    @Test
    void argumentLargerThanTheWriteBufferIsSentIntactAndLaterCommandsStillWork() throws Exception {
        byte[] value = randomBytes(100_000);
        RespConnection c = connection();
        // flushed on another thread: 100 kB may not fit the socket buffers before the peer reads
        Future<?> flushed = client.submit(() -> {
            c.command(3).arg("SET").arg("big").arg(value).flush();
            return null;
        });
        peer.expect("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n");
        assertThat(peer.receive(value.length)).isEqualTo(value);
        peer.expect("\r\n");
        flushed.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);

        c.command(1).arg("PING").flush();
        peer.expect("*1\r\n$4\r\nPING\r\n");
    }

    // ---------------------------------------------------------------- reply types

    @Test
    void bulkStringIsReadAsBytesEvenWithCrlfInside() throws Exception {
        assertThat(parse("$6\r\nab\r\ncd\r\n")).isEqualTo(bytes("ab\r\ncd"));
    }

    @Test
    void emptyBulkStringIsReadAsEmptyBytes() throws Exception {
        assertThat(parse("$0\r\n\r\n")).isEqualTo(new byte[0]);
    }

    @Test
    void nilBulkStringIsReadAsNull() throws Exception {
        assertThat(parse("$-1\r\n")).isNull();
    }

    @Test
    void statusIsReadAsString() throws Exception {
        assertThat(parse("+OK\r\n")).isEqualTo("OK");
    }

    @Test
    void errorIsReadAsErrorWithTheTextAfterTheDash() throws Exception {
        Object reply = parse("-ERR unknown command 'FOO'\r\n");
        assertThat(reply).isInstanceOf(RespConnection.Error.class);
        assertThat(((RespConnection.Error) reply).message()).isEqualTo("ERR unknown command 'FOO'");
    }

    @Test
    void integersAreReadAsLongs() throws Exception {
        assertThat(parse(":1000\r\n")).isEqualTo(1000L);
        assertThat(parse(":-42\r\n")).isEqualTo(-42L);
        assertThat(parse(":0\r\n")).isEqualTo(0L);
        assertThat(parse(":9223372036854775807\r\n")).isEqualTo(Long.MAX_VALUE);
        assertThat(parse(":-9223372036854775808\r\n")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void integerBeyondSixtyFourBitsThrowsIOException() throws Exception {
        assertRejected(":9223372036854775808\r\n", "64 bits");
    }

    @Test
    void arrayOfMixedItemsIsReadAsList() throws Exception {
        Object reply = parse("*5\r\n$3\r\nfoo\r\n$-1\r\n:7\r\n+OK\r\n-ERR x\r\n");
        assertThat(reply).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactly(bytes("foo"), null, 7L, "OK", new RespConnection.Error("ERR x"));
    }

    @Test
    void nestedArrayIsReadAsNestedLists() throws Exception {
        Object reply = parse("*3\r\n*2\r\n:1\r\n:2\r\n*2\r\n+a\r\n*0\r\n:3\r\n");
        assertThat(reply).isEqualTo(List.of(List.of(1L, 2L), List.of("a", List.of()), 3L));
    }

    @Test
    void nilArrayIsReadAsNull() throws Exception {
        assertThat(parse("*-1\r\n")).isNull();
    }

    @Test
    void emptyArrayIsReadAsEmptyList() throws Exception {
        assertThat(parse("*0\r\n")).isEqualTo(List.of());
    }

    // ---------------------------------------------------------------- framing

    @Test
    void bulkStringLargerThanTheReadBufferIsReadIntact() throws Exception {
        byte[] value = randomBytes(100_000);
        RespConnection c = connection();
        peer.send(concat(bytes("$100000\r\n"), value, bytes("\r\n:1\r\n")));
        assertThat(c.read(deadline())).isEqualTo(value);
        assertThat(c.read(deadline())).isEqualTo(1L);
    }

    @Test
    void replyDeliveredOneByteAtATimeIsReadIntact() throws Exception {
        RespConnection c = connection();
        peer.send(bytes("*3\r\n$12\r\nhello\r\nworld\r\n:-1234\r\n*2\r\n+OK\r\n$-1\r\n"), 1);
        Object reply = c.read(deadline());
        assertThat(reply).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactly(bytes("hello\r\nworld"), -1234L, Arrays.asList("OK", null));
    }

    @Test
    void pipelinedRepliesAreReadOneByOneInOrder() throws Exception {
        RespConnection c = connection();
        peer.send("+OK\r\n:5\r\n$3\r\nabc\r\n-ERR no\r\n*1\r\n:1\r\n$-1\r\n+LAST\r\n");
        assertThat(c.read(deadline())).isEqualTo("OK");
        assertThat(c.read(deadline())).isEqualTo(5L);
        assertThat(c.read(deadline())).isEqualTo(bytes("abc"));
        assertThat(c.read(deadline())).isEqualTo(new RespConnection.Error("ERR no"));
        assertThat(c.read(deadline())).isEqualTo(List.of(1L));
        assertThat(c.read(deadline())).isNull();
        assertThat(c.read(deadline())).isEqualTo("LAST");
        assertThat(c.readable()).isFalse();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void unknownTypeByteThrowsIOException() throws Exception {
        assertRejected("!oops\r\n", "type byte 33");
    }

    @Test
    void bulkStringNotFollowedByCrlfThrowsIOException() throws Exception {
        assertRejected("$2\r\nabc\r\n", "not followed by CRLF");
    }

    @Test
    void numberWithNonDigitThrowsIOException() throws Exception {
        assertRejected(":12a4\r\n", "bad number");
    }

    @Test
    void bulkLengthWithNonDigitThrowsIOException() throws Exception {
        assertRejected("$1x\r\nab\r\n", "bad number");
    }

    // ---------------------------------------------------------------- deadline and end of stream

    @Test
    void readTimesOutWhenPeerSendsNothing() throws Exception {
        assertReadTimesOut(connection());
    }

    @Test
    void readTimesOutWhenPeerSendsHalfAReply() throws Exception {
        RespConnection c = connection();
        peer.send("$10\r\nabc").get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertReadTimesOut(c);
    }

    @Test
    void readThrowsEofExceptionWhenPeerClosesTheSocket() throws Exception {
        RespConnection c = connection();
        peer.hangUp();
        assertThatThrownBy(() -> c.read(deadline())).isInstanceOf(EOFException.class);
    }

    @Test
    void readThrowsEofExceptionWhenPeerClosesMidReply() throws Exception {
        RespConnection c = connection();
        peer.send("*2\r\n:1\r\n$5\r\nab");
        peer.hangUp();
        assertThatThrownBy(() -> c.read(deadline())).isInstanceOf(EOFException.class);
    }

    // ---------------------------------------------------------------- open

    @Test
    void openWithoutPasswordOrDatabaseSendsOnlyClientSetname() throws Exception {
        Future<RespConnection> opening = openInBackground(null, null, 0);
        peer.expect(SETNAME);
        assertThat(opening).as("open waits for the answer").isNotDone();
        peer.send("+OK\r\n");
        assertThat(opened(opening)).isNotNull();
    }

    @Test
    void openWithPasswordSendsAuthAndNoSelectForDatabaseZero() throws Exception {
        Future<RespConnection> opening = openInBackground(null, "s3cret", 0);
        peer.expect("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n" + SETNAME);
        peer.send("+OK\r\n+OK\r\n");
        assertThat(opened(opening)).isNotNull();
    }

    @Test
    void openWithUserPasswordAndDatabaseSendsAuthThenSelect() throws Exception {
        Future<RespConnection> opening = openInBackground("alice", "s3cret", 3);
        peer.expect("*3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$6\r\ns3cret\r\n"
                + "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
                + SETNAME);
        peer.send("+OK\r\n+OK\r\n");
        assertThat(opening).as("open waits for all three answers").isNotDone();
        peer.send("+OK\r\n");
        assertThat(opened(opening)).isNotNull();
    }

    @Test
    void openWithoutPasswordSendsSelectForNonZeroDatabase() throws Exception {
        Future<RespConnection> opening = openInBackground(null, null, 12);
        peer.expect("*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" + SETNAME);
        peer.send("+OK\r\n+OK\r\n");
        assertThat(opened(opening)).isNotNull();
    }

    @Test
    void openThrowsAuthRefusedAndClosesTheSocketWhenPasswordIsWrong() throws Exception {
        Future<RespConnection> opening = openInBackground("alice", "wrong", 0);
        peer.expect("*3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$5\r\nwrong\r\n" + SETNAME);
        peer.send("-WRONGPASS invalid\r\n");
        assertOpenRefused(opening, "AUTH refused: WRONGPASS invalid");
    }

    @Test
    void openThrowsSelectRefusedWhenDatabaseIsRejected() throws Exception {
        Future<RespConnection> opening = openInBackground(null, null, 99);
        peer.expect("*2\r\n$6\r\nSELECT\r\n$2\r\n99\r\n" + SETNAME);
        peer.send("-ERR DB index is out of range\r\n");
        assertOpenRefused(opening, "SELECT refused");
    }

    @Test
    void openThrowsClientSetnameRefusedWhenNameIsRejected() throws Exception {
        Future<RespConnection> opening = openInBackground(null, "s3cret", 0);
        peer.expect("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n" + SETNAME);
        peer.send("+OK\r\n-ERR unknown command\r\n");
        assertOpenRefused(opening, "CLIENT SETNAME refused");
    }

    /** {@code open} fails with an IOException saying {@code message} and closes its socket. */
    private void assertOpenRefused(Future<RespConnection> opening, String message) throws Exception {
        assertThatThrownBy(() -> opening.get(WAIT_MILLIS, TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining(message);
        assertThat(peer.closedByClient()).isTrue();
    }

    // ---------------------------------------------------------------- readable

    @Test
    void readableOnlyOnceThePeerSentAReply() throws Exception {
        RespConnection c = connection();
        assertThat(c.readable()).isFalse();
        peer.send("+OK\r\n");
        long until = deadline();
        while (!c.readable() && System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
        assertThat(c.readable()).isTrue();
        assertThat(c.read(deadline())).isEqualTo("OK");
        assertThat(c.readable()).isFalse();
    }
}
