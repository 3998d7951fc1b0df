package io.sqlcache.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import io.sqlcache.proxy.protocol.ResponseTracker.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseTrackerTest {

    /** The documented answer to "select @@version_comment limit 1" (text result set, with EOFs). */
    static final List<byte[]> VERSION_COMMENT = List.of(
            Hex.bytes("01"),
            Hex.bytes("03 64 65 66 00 00 00 11 40 40 76 65 72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 00 0c 08 00 1c 00 00 00"
                    + " fd 00 00 1f 00 00"),
            Hex.bytes("fe 00 00 02 00"),
            Hex.bytes("1c 4d 79 53 51 4c 20 43 6f 6d 6d 75 6e 69 74 79 20 53 65 72 76 65 72 20 28 47 50 4c 29"),
            Hex.bytes("fe 00 00 02 00"));

    private static Step feed(ResponseTracker t, List<byte[]> packets) {
        Step last = null;
        for (int i = 0; i < packets.size(); i++) {
            last = t.accept(packets.get(i));
            if (i < packets.size() - 1) {
                assertThat(last).as("packet %d", i).isEqualTo(Step.MORE);
            }
        }
        return last;
    }

    @Test
    void textResultSetWithEofs() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, false);
        assertThat(feed(t, VERSION_COMMENT)).isEqualTo(Step.DONE);
        assertThat(t.done()).isTrue();
        assertThat(t.rows()).isEqualTo(1);
        assertThat(t.status()).isEqualTo(2);
        assertThat(t.singleResultSet()).isTrue();
        assertThatThrownBy(() -> t.accept(Hex.bytes("00 00 00 02 00 00 00"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deprecateEofEndsWithAnOkWhoseHeaderIs0xFE() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, true);
        List<byte[]> packets = List.of(VERSION_COMMENT.get(0), VERSION_COMMENT.get(1), VERSION_COMMENT.get(3),
                Hex.bytes("fe 00 00 02 00 00 00"));
        assertThat(feed(t, packets)).isEqualTo(Step.DONE);
        assertThat(t.rows()).isEqualTo(1);
        assertThat(t.status()).isEqualTo(2);
    }

    @Test
    void rowsStartingWith0xFEAreRowsWhenTheyAreLong() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, false);
        t.accept(Hex.bytes("01"));
        t.accept(VERSION_COMMENT.get(1));
        t.accept(VERSION_COMMENT.get(2));
        assertThat(t.accept(Hex.bytes("fe 00 00 00 01 00 00 00 00 41"))).isEqualTo(Step.MORE);
        assertThat(t.accept(Hex.bytes("fe 00 00 02 00"))).isEqualTo(Step.DONE);
        assertThat(t.rows()).isEqualTo(1);
    }

    @Test
    void multiResultsFollowTheMoreResultsFlag() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, false);
        // OK with MORE_RESULTS_EXISTS, then a result set, then the final OK
        assertThat(t.accept(Hex.bytes("00 01 00 0a 00 00 00"))).isEqualTo(Step.MORE);
        assertThat(t.accept(Hex.bytes("01"))).isEqualTo(Step.MORE);
        t.accept(VERSION_COMMENT.get(1));
        t.accept(Hex.bytes("fe 00 00 0a 00"));
        t.accept(VERSION_COMMENT.get(3));
        assertThat(t.accept(Hex.bytes("fe 00 00 0a 00"))).isEqualTo(Step.MORE);
        assertThat(t.accept(Hex.bytes("00 00 00 02 00 00 00"))).isEqualTo(Step.DONE);
        assertThat(t.resultSets()).isEqualTo(1);
        assertThat(t.singleResultSet()).isFalse();
    }

    @Test
    void errorsEndTheAnswerAnywhere() {
        ResponseTracker first = new ResponseTracker(Expect.RESULT, false);
        assertThat(first.accept(Hex.bytes("ff 48 04 23 48 59 30 30 30 4e 6f"))).isEqualTo(Step.DONE);
        assertThat(first.error()).isTrue();
        assertThat(first.status()).isEqualTo(-1);
        ResponseTracker midRows = new ResponseTracker(Expect.RESULT, true);
        midRows.accept(Hex.bytes("01"));
        midRows.accept(VERSION_COMMENT.get(1));
        midRows.accept(VERSION_COMMENT.get(3));
        assertThat(midRows.accept(Hex.bytes("ff 48 04 23 48 59 30 30 30 4e 6f"))).isEqualTo(Step.DONE);
        assertThat(midRows.error()).isTrue();
        assertThat(midRows.singleResultSet()).isFalse();
    }

    @Test
    void localInfileHandsTheTurnToTheClient() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, false);
        assertThat(t.accept(Hex.bytes("fb 2f 74 6d 70 2f 78"))).isEqualTo(Step.CLIENT_TURN);
        assertThat(t.accept(Hex.bytes("00 02 00 02 00 00 00"))).isEqualTo(Step.DONE);
    }

    @Test
    void prepareCountsParameterAndColumnDefinitions() {
        // COM_STMT_PREPARE OK: id 1, 1 column, 2 parameters, then 2 + EOF + 1 + EOF definitions
        ResponseTracker t = new ResponseTracker(Expect.PREPARE, false);
        assertThat(t.accept(Hex.bytes("00 01 00 00 00 01 00 02 00 00 00 00"))).isEqualTo(Step.MORE);
        for (int i = 0; i < 4; i++) {
            assertThat(t.accept(VERSION_COMMENT.get(i % 2 == 0 ? 1 : 1))).isEqualTo(Step.MORE);
        }
        assertThat(t.accept(Hex.bytes("fe 00 00 02 00"))).isEqualTo(Step.DONE);
        assertThat(t.statementId()).isEqualTo(1);
        assertThat(t.parameterCount()).isEqualTo(2);
        ResponseTracker none = new ResponseTracker(Expect.PREPARE, true);
        assertThat(none.accept(Hex.bytes("00 07 00 00 00 00 00 00 00 00 00 00"))).isEqualTo(Step.DONE);
        assertThat(none.statementId()).isEqualTo(7);
    }

    @Test
    void authAndSinglePacketAnswers() {
        ResponseTracker auth = new ResponseTracker(Expect.AUTH, true);
        assertThat(auth.accept(Hex.bytes("fe 6d 79 73 71 6c 00"))).isEqualTo(Step.CLIENT_TURN);
        assertThat(auth.accept(Hex.bytes("01 03"))).isEqualTo(Step.CLIENT_TURN);
        assertThat(auth.accept(Hex.bytes("00 00 00 02 00 00 00"))).isEqualTo(Step.DONE);
        ResponseTracker stats = new ResponseTracker(Expect.SINGLE, true);
        assertThat(stats.accept("Uptime: 5".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(Step.DONE);
        ResponseTracker fields = new ResponseTracker(Expect.FIELD_LIST, false);
        assertThat(fields.accept(VERSION_COMMENT.get(1))).isEqualTo(Step.MORE);
        assertThat(fields.accept(Hex.bytes("fe 00 00 02 00"))).isEqualTo(Step.DONE);
    }

    @Test
    void garbageIsMalformedNotAnIndexError() {
        ResponseTracker t = new ResponseTracker(Expect.RESULT, false);
        assertThatThrownBy(() -> t.accept(Hex.bytes("fc 01"))).isInstanceOf(MalformedPacketException.class);
        ResponseTracker p = new ResponseTracker(Expect.PREPARE, false);
        assertThatThrownBy(() -> p.accept(Hex.bytes("00 01 00"))).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void anAnswerThatIsOneParseErrorRanNothingButAnErrorAfterAResultDid() {
        // ERR 1064 (0x0428), SQL state 42000
        byte[] parseError = Hex.bytes("ff 28 04 23 34 32 30 30 30 78");
        ResponseTracker alone = new ResponseTracker(Expect.RESULT, false);
        assertThat(alone.accept(parseError)).isEqualTo(Step.DONE);
        assertThat(alone.onlyError()).isTrue();
        assertThat(ErrPacket.isParseError(parseError)).isTrue();

        // a multi-statement text: an OK with MORE_RESULTS_EXISTS (0x0008) first, then the parse error
        ResponseTracker after = new ResponseTracker(Expect.RESULT, false);
        assertThat(after.accept(Hex.bytes("00 01 00 0a 00 00 00"))).isEqualTo(Step.MORE);
        assertThat(after.accept(parseError)).isEqualTo(Step.DONE);
        assertThat(after.onlyError()).as("the first statement ran").isFalse();

        // ERR 1146 (table does not exist, 0x047a) is no parse error; an OK is no error
        assertThat(ErrPacket.isParseError(Hex.bytes("ff 7a 04 23 34 32 53 30 32 78"))).isFalse();
        assertThat(ErrPacket.isParseError(Hex.bytes("00 00 00 02 00 00 00"))).isFalse();
    }
}
