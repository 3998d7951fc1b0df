package io.sqlcache.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each packet class against the byte sequences of the MySQL protocol documentation. */
class PacketsTest {

    /** Protocol::HandshakeV10 example (MySQL 5.5.2-m2), payload after the 4-byte header. */
    static final byte[] GREETING = Hex.bytes("""
            0a 35 2e 35 2e 32 2d 6d 32 00 0b 00
            00 00 64 76 48 40 49 2d 43 4a 00 ff f7 08 02 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 2a 34 64
            7c 63 5a 77 6b 34 5e 5d 3a 00""");

    /** Protocol::HandshakeResponse41 example (user pam, database test), payload after the header. */
    static final byte[] RESPONSE = Hex.bytes("""
            8d a6 0f 00 00 00 00 01 08 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 70 61 6d 00 14 ab 09 ee f6 bc b1 32
            3e 61 14 38 65 c0 99 1d 95 7d 75 d4 47 74 65 73
            74 00 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70
            61 73 73 77 6f 72 64 00""");

    @Test
    void okPacket() {
        OkPacket ok = OkPacket.parse(Hex.bytes("00 00 00 02 00 00 00"));
        assertThat(ok).isEqualTo(new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 0));
        assertThat(ok.write()).containsExactly(Hex.bytes("00 00 00 02 00 00 00"));
        // affected rows and insert id are length-encoded: 0xFC + 2 bytes
        OkPacket big = OkPacket.parse(Hex.bytes("00 fc 2c 01 05 03 40 01 00"));
        assertThat(big).isEqualTo(new OkPacket(300, 5, 0x4003, 1));
        assertThatThrownBy(() -> OkPacket.parse(Hex.bytes("00 fc 2c"))).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> OkPacket.parse(Hex.bytes("ff 00"))).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void errPacket() {
        // ERR_Packet example: 1096, HY000, "No tables used"
        byte[] payload = Hex.bytes("ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64");
        ErrPacket err = ErrPacket.parse(payload);
        assertThat(err).isEqualTo(new ErrPacket(1096, "HY000", "No tables used"));
        assertThat(err.write()).containsExactly(payload);
    }

    @Test
    void eofPacket() {
        // EOF_Packet example: warnings 0, status AUTOCOMMIT
        byte[] payload = Hex.bytes("fe 00 00 02 00");
        assertThat(EofPacket.is(payload)).isTrue();
        assertThat(EofPacket.parse(payload)).isEqualTo(new EofPacket(0, 2));
        assertThat(new EofPacket(0, 2).write()).containsExactly(payload);
        // a row whose first value has an 8-byte length prefix also starts with 0xFE, but is longer
        assertThat(EofPacket.is(Hex.bytes("fe 00 00 00 01 00 00 00 00 41"))).isFalse();
    }

    @Test
    void greetingIsReadAndNarrowedInPlace() {
        HandshakeV10 h = new HandshakeV10(GREETING);
        assertThat(h.serverVersion()).isEqualTo("5.5.2-m2");
        assertThat(h.connectionId()).isEqualTo(11);
        assertThat(h.capabilities()).isEqualTo(0xf7ff);
        assertThat(h.characterSet()).isEqualTo(8);
        assertThat(h.status()).isEqualTo(2);
        assertThat(h.capabilities() & Capabilities.CLIENT_COMPRESS).isNotZero();
        assertThat(h.capabilities() & Capabilities.CLIENT_SSL).isZero();

        byte[] narrowed = h.narrowed(Capabilities.REMOVED);
        HandshakeV10 n = new HandshakeV10(narrowed);
        assertThat(n.capabilities()).isEqualTo(0xf7ff & ~Capabilities.CLIENT_COMPRESS);
        // only the two capability bytes changed
        int differences = 0;
        for (int i = 0; i < GREETING.length; i++) {
            differences += GREETING[i] != narrowed[i] ? 1 : 0;
        }
        assertThat(differences).isEqualTo(1);
        assertThat(narrowed[23]).isEqualTo((byte) 0xdf);
    }

    @Test
    void mariadbExtendedCapabilitiesButExtendedMetadataAreCleared() {
        byte[] g = GREETING.clone();
        g[23] &= ~1; // no CLIENT_MYSQL: the last 4 reserved bytes are MariaDB's extended capabilities
        g[37] = 0x1f; // PROGRESS | COM_MULTI | STMT_BULK_OPERATIONS | EXTENDED_METADATA | CACHE_METADATA
        HandshakeV10 h = new HandshakeV10(g);
        assertThat(h.extendedCapabilities()).isEqualTo(0x1f);
        assertThat(new HandshakeV10(h.narrowed(Capabilities.REMOVED)).extendedCapabilities())
                .as("only extended metadata is kept").isEqualTo(0x1f & Capabilities.MARIADB_KEPT);
    }

    @Test
    void handshakeResponse() {
        HandshakeResponse41 r = new HandshakeResponse41(RESPONSE);
        assertThat(r.capabilities()).isEqualTo(0x000fa68d);
        assertThat(r.characterSet()).isEqualTo(8);
        assertThat(r.user()).isEqualTo("pam");
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.extendedCapabilities()).isZero();

        byte[] withSsl = RESPONSE.clone();
        withSsl[1] |= (byte) (Capabilities.CLIENT_SSL >>> 8);
        withSsl[0] |= Capabilities.CLIENT_COMPRESS;
        byte[] narrowed = new HandshakeResponse41(withSsl).narrowed(Capabilities.REMOVED);
        assertThat(new HandshakeResponse41(narrowed).capabilities()).isEqualTo(0x000fa68d & ~Capabilities.CLIENT_COMPRESS);
        assertThat(Arrays.copyOfRange(narrowed, 4, narrowed.length)).containsExactly(Arrays.copyOfRange(RESPONSE, 4,
                RESPONSE.length));
    }

    @Test
    void sslRequestAndTruncationsAreRefused() {
        byte[] ssl = Arrays.copyOf(RESPONSE, HandshakeResponse41.SSL_REQUEST_LENGTH);
        assertThatThrownBy(() -> new HandshakeResponse41(ssl)).isInstanceOf(MalformedPacketException.class);
        for (int n = 0; n < RESPONSE.length - "mysql_native_password".length() - 6; n++) {
            byte[] cut = Arrays.copyOf(RESPONSE, n);
            assertThatThrownBy(() -> new HandshakeResponse41(cut)).as("cut at %d", n)
                    .isInstanceOf(MalformedPacketException.class);
        }
        for (int n = 0; n < 17; n++) {
            byte[] cut = Arrays.copyOf(GREETING, n);
            assertThatThrownBy(() -> new HandshakeV10(cut)).as("cut at %d", n).isInstanceOf(MalformedPacketException.class);
        }
    }

    @Test
    void textResultSetHasTheDocumentedShape() {
        var eofs = TextResultSet.payloads(java.util.List.of("a", "b"),
                java.util.List.of(java.util.List.of("1", "x"), java.util.Arrays.asList("2", null)), false, 2);
        ResponseTracker t = new ResponseTracker(ResponseTracker.Expect.RESULT, false);
        for (int i = 0; i < eofs.size(); i++) {
            assertThat(t.accept(eofs.get(i))).isEqualTo(i == eofs.size() - 1 ? ResponseTracker.Step.DONE
                    : ResponseTracker.Step.MORE);
        }
        assertThat(t.rows()).isEqualTo(2);
        assertThat(eofs.get(5)).containsExactly(Hex.bytes("01 32 fb"));
        var oks = TextResultSet.payloads(java.util.List.of("a"), java.util.List.of(java.util.List.of("é")), true, 2);
        assertThat(oks).hasSize(4);
        assertThat(oks.get(2)).containsExactly(Hex.bytes("02 c3 a9"));
        assertThat(new String(oks.get(2), 1, 2, StandardCharsets.UTF_8)).isEqualTo("é");
        assertThat(OkPacket.parse(oks.get(3)).status()).isEqualTo(2);
    }

    @Test
    void withMariadbExtendedMetadataAColumnDefinitionCarriesAnEmptyExtendedInfoAfterTheNames() {
        byte[] plain = TextResultSet.payloads(java.util.List.of("a"), java.util.List.of(), false, 2).get(1);
        byte[] extended = TextResultSet.payloads(java.util.List.of("a"), java.util.List.of(), false, 2, true).get(1);
        // catalog "def", empty schema, table and original table, name and original name "a", then
        // (extended only) the extended info's length 0, then the fixed fields' length 0x0c
        assertThat(plain).startsWith(Hex.bytes("03 64 65 66 00 00 00 01 61 01 61 0c"));
        assertThat(extended).startsWith(Hex.bytes("03 64 65 66 00 00 00 01 61 01 61 00 0c"));
        assertThat(extended).hasSize(plain.length + 1);
    }
}
