package io.sqlcache.proxy.relay;

import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.PayloadReader;
import java.util.Arrays;

/**
 * A COM_STMT_EXECUTE as the proxy reads it: the statement it runs, its flags, and its parameter
 * values with their types. Reading it follows the types the client sent on the statement
 * ({@link Session.Prepared#types}), since an execute carries them only when they change.
 * Confined to the connection's event loop, as the session's prepared statements are.
 *
 * @param prepared      the statement, or {@code null} when unknown or the packet is malformed
 * @param flags         the cursor flags (0: no cursor)
 * @param values        the null bitmap and the values, as sent; null without parameters
 * @param types         the types the server must hold when this execute is forwarded, or null
 * @param integerParams the parameters as integers ({@link BinaryIntegers}), empty without
 *                      parameters
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html">COM_STMT_EXECUTE</a>
 */
record BinaryExecute(Session.Prepared prepared, int flags, byte[] values, Types types, Long[] integerParams) {

    private static final BinaryExecute UNKNOWN = new BinaryExecute(null, 0, null, null, Exchange.NO_INTEGERS);

    /**
     * Reads an execute. Notes new parameter types on the statement (and that the server does
     * not hold them yet when they changed). A malformed packet names no statement: the server
     * will refuse it, and it changes nothing we could name.
     */
    static BinaryExecute parse(byte[] payload, Session session) {
        try {
            PayloadReader r = new PayloadReader(payload, 1);
            Session.Prepared ps = session.preparedById(r.int4());
            int flags = r.int1();
            r.skip(4);
            if (ps == null || ps.parameterCount == 0) {
                return new BinaryExecute(ps, flags, null, new Types(ps, false, null), Exchange.NO_INTEGERS);
            }
            byte[] nulls = r.bytes((ps.parameterCount + 7) / 8);
            boolean carried = false;
            if (r.int1() == 1) {
                byte[] types = r.bytes(2 * ps.parameterCount);
                if (!Arrays.equals(types, ps.types)) {
                    ps.typesOnServer = false;
                }
                ps.types = types;
                carried = true;
            }
            byte[] rest = r.rest();
            byte[] values = new byte[nulls.length + rest.length];
            System.arraycopy(nulls, 0, values, 0, nulls.length);
            System.arraycopy(rest, 0, values, nulls.length, rest.length);
            byte[] rewritten = !carried && ps.types != null && !ps.typesOnServer
                    ? withTypes(payload, nulls, ps.types, rest) : null;
            return new BinaryExecute(ps, flags, values, new Types(ps, carried, rewritten),
                    BinaryIntegers.decode(ps.types, values, ps.parameterCount));
        } catch (MalformedPacketException e) {
            return UNKNOWN;
        }
    }

    /**
     * A COM_STMT_EXECUTE sent without types (new-params-bound = 0), rewritten to carry them:
     * command, statement id, flags and iteration count (10 bytes), the null bitmap,
     * new-params-bound = 1, the types, then the values as the client sent them.
     */
    static byte[] withTypes(byte[] payload, byte[] nulls, byte[] types, byte[] values) {
        byte[] out = new byte[10 + nulls.length + 1 + types.length + values.length];
        System.arraycopy(payload, 0, out, 0, 10);
        System.arraycopy(nulls, 0, out, 10, nulls.length);
        out[10 + nulls.length] = 1;
        System.arraycopy(types, 0, out, 11 + nulls.length, types.length);
        System.arraycopy(values, 0, out, 11 + nulls.length + types.length, values.length);
        return out;
    }

    /**
     * Which parameter types the server holds for a statement. An execute that carried new types
     * but was answered from the cache never reached the server: the next one forwarded must
     * carry them, so it is rewritten.
     *
     * @param prepared  the statement executed
     * @param carried   the execute carries its types (new-params-bound = 1)
     * @param withTypes an execute without types rewritten to carry the statement's, or null
     */
    record Types(Session.Prepared prepared, boolean carried, byte[] withTypes) {

        /** The packet to forward for {@code request}; the server then holds the statement's types. */
        Packet forwarded(Packet request) {
            if (withTypes != null) {
                prepared.typesOnServer = true;
                return new Packet(request.sequenceId(), withTypes);
            }
            if (carried) {
                prepared.typesOnServer = true;
            }
            return request;
        }
    }
}
