package io.sqlcache.proxy.protocol;

/**
 * Follows the server's answer to one command, packet by packet, to know where it ends and what
 * it said (error, status flags, warnings, whether it was one plain result set), without
 * buffering it. One instance per command; not thread-safe.
 *
 * <p>The end of a result set is an EOF packet (shorter than 9 bytes) or, under
 * CLIENT_DEPRECATE_EOF, an OK packet with header 0xFE (shorter than 16 MiB - 1): a row can
 * start with 0xFE only as the 8-byte length prefix of a value of at least 16 MiB.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html">COM_QUERY Response</a>
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html">COM_STMT_PREPARE Response</a>
 */
public final class ResponseTracker {

    /** What kind of answer the command gets. */
    public enum Expect {
        /** COM_QUERY, COM_STMT_EXECUTE: OK, ERR, LOCAL INFILE request, or result sets; maybe several. */
        RESULT,
        /** COM_STMT_PREPARE: a prepare OK then parameter and column definitions, or ERR. */
        PREPARE,
        /** COM_FIELD_LIST: column definitions until EOF, or ERR. */
        FIELD_LIST,
        /** COM_STMT_FETCH: rows until EOF, or ERR. */
        ROWS,
        /** One packet: OK, ERR, EOF or a string (COM_STATISTICS). */
        SINGLE,
        /** COM_CHANGE_USER and the connection phase: auth switch / more data until OK or ERR. */
        AUTH
    }

    /** What the packet just accepted means for the relay. */
    public enum Step {
        /** More packets of this answer follow from the server. */
        MORE,
        /** The answer is complete. */
        DONE,
        /** The server asks the client for something (file contents, auth data): let client packets through. */
        CLIENT_TURN
    }

    private enum State { FIRST, COLUMNS, COLUMNS_EOF, ROWS, DEFINITIONS, DONE }

    private final Expect expect;
    private final boolean deprecateEof;
    private State state;
    private long remaining;
    private boolean error;
    private int status = -1;
    private int warnings;
    private int resultSets;
    private boolean okResults;
    private long rows;
    private int statementId = -1;
    private int parameterCount;

    /**
     * @param expect       what the command gets
     * @param deprecateEof whether both sides agreed on CLIENT_DEPRECATE_EOF
     */
    public ResponseTracker(Expect expect, boolean deprecateEof) {
        this.expect = expect;
        this.deprecateEof = deprecateEof;
        this.state = expect == Expect.ROWS ? State.ROWS : expect == Expect.FIELD_LIST ? State.DEFINITIONS : State.FIRST;
    }

    /**
     * Accepts the next server packet.
     *
     * @throws MalformedPacketException when the packet cannot be part of this answer
     * @throws IllegalStateException    when the answer was already complete
     */
    public Step accept(byte[] p) {
        int h = p.length == 0 ? -1 : p[0] & 0xFF;
        switch (state) {
            case FIRST -> {
                return first(p, h);
            }
            case COLUMNS -> {
                if (--remaining > 0) {
                    return Step.MORE;
                }
                if (expect == Expect.PREPARE) {
                    state = State.DONE;
                    return Step.DONE;
                }
                state = deprecateEof ? State.ROWS : State.COLUMNS_EOF;
                return Step.MORE;
            }
            case COLUMNS_EOF -> {
                if (h == 0xFF) {
                    return fail();
                }
                EofPacket eof = EofPacket.parse(p);
                status = eof.status();
                if ((eof.status() & ServerStatus.CURSOR_EXISTS) != 0) {
                    // a cursor was opened: the rows come with COM_STMT_FETCH
                    state = State.DONE;
                    return Step.DONE;
                }
                state = State.ROWS;
                return Step.MORE;
            }
            case ROWS -> {
                if (h == 0xFF) {
                    return fail();
                }
                if (isTerminator(p, h)) {
                    return endOfResult(p);
                }
                rows++;
                return Step.MORE;
            }
            case DEFINITIONS -> {
                if (h == 0xFF) {
                    return fail();
                }
                if (isTerminator(p, h)) {
                    return endOfResult(p);
                }
                return Step.MORE;
            }
            default -> throw new IllegalStateException("answer already complete");
        }
    }

    private Step first(byte[] p, int h) {
        if (h == 0xFF) {
            return fail();
        }
        return switch (expect) {
            case SINGLE -> {
                if (h == 0x00) {
                    ok(OkPacket.parse(p));
                } else if (EofPacket.is(p)) {
                    EofPacket e = EofPacket.parse(p);
                    status = e.status();
                    warnings = e.warnings();
                }
                state = State.DONE;
                yield Step.DONE;
            }
            case AUTH -> {
                if (h == 0x00) {
                    ok(OkPacket.parse(p));
                    state = State.DONE;
                    yield Step.DONE;
                }
                yield Step.CLIENT_TURN;
            }
            case PREPARE -> {
                if (h != 0x00) {
                    throw new MalformedPacketException("prepare answer with header 0x" + Integer.toHexString(h));
                }
                PayloadReader r = new PayloadReader(p, 1);
                statementId = r.int4();
                int columns = r.int2();
                parameterCount = r.int2();
                r.skip(1);
                warnings = r.remaining() >= 2 ? r.int2() : 0;
                int eofs = deprecateEof ? 0 : (columns > 0 ? 1 : 0) + (parameterCount > 0 ? 1 : 0);
                remaining = (long) columns + parameterCount + eofs;
                if (remaining == 0) {
                    state = State.DONE;
                    yield Step.DONE;
                }
                // COLUMNS as a plain countdown of definitions and EOFs: at 0 the answer is done
                state = State.COLUMNS;
                yield Step.MORE;
            }
            default -> {
                if (h == 0x00) {
                    OkPacket ok = OkPacket.parse(p);
                    ok(ok);
                    okResults = true;
                    yield more(ok.status());
                }
                if (h == 0xFB) {
                    // LOCAL INFILE request: the client sends the file, then the server answers again
                    yield Step.CLIENT_TURN;
                }
                long columns = new PayloadReader(p, 0).lenenc();
                if (columns == 0) {
                    throw new MalformedPacketException("result set of 0 columns");
                }
                resultSets++;
                remaining = columns;
                state = State.COLUMNS;
                yield Step.MORE;
            }
        };
    }

    private boolean isTerminator(byte[] p, int h) {
        return h == 0xFE && (deprecateEof ? p.length < Packet.MAX_FRAME : p.length < 9);
    }

    private Step endOfResult(byte[] p) {
        if (deprecateEof && p.length >= 9 || deprecateEof && !EofPacket.is(p)) {
            OkPacket ok = OkPacket.parse(p);
            status = ok.status();
            warnings += ok.warnings();
        } else {
            EofPacket eof = EofPacket.parse(p);
            status = eof.status();
            warnings += eof.warnings();
        }
        if (expect == Expect.ROWS || expect == Expect.FIELD_LIST) {
            state = State.DONE;
            return Step.DONE;
        }
        return more(status);
    }

    private Step more(int st) {
        if ((st & ServerStatus.MORE_RESULTS_EXISTS) != 0) {
            state = State.FIRST;
            return Step.MORE;
        }
        state = State.DONE;
        return Step.DONE;
    }

    private void ok(OkPacket ok) {
        status = ok.status();
        warnings += ok.warnings();
    }

    private Step fail() {
        error = true;
        state = State.DONE;
        return Step.DONE;
    }

    /** What this answer was expected to be. */
    public Expect expect() {
        return expect;
    }

    /** True once the answer is complete. */
    public boolean done() {
        return state == State.DONE;
    }

    /** True when the answer ended with an ERR packet. */
    public boolean error() {
        return error;
    }

    /** The status flags of the last OK or EOF seen, or -1 when none was (an ERR, a string). */
    public int status() {
        return status;
    }

    /** Warnings reported by every OK and EOF of the answer. */
    public int warnings() {
        return warnings;
    }

    /** Result sets seen. */
    public int resultSets() {
        return resultSets;
    }

    /** True when exactly one result set and nothing else came back (no OK result, no error). */
    public boolean singleResultSet() {
        return resultSets == 1 && !okResults && !error;
    }

    /** True when the whole answer was one ERR packet: no result set, no OK before it. */
    public boolean onlyError() {
        return error && resultSets == 0 && !okResults;
    }

    /** Rows of all result sets so far. */
    public long rows() {
        return rows;
    }

    /** The statement id of a successful COM_STMT_PREPARE, or -1. */
    public int statementId() {
        return statementId;
    }

    /** The parameter count of a successful COM_STMT_PREPARE. */
    public int parameterCount() {
        return parameterCount;
    }
}
