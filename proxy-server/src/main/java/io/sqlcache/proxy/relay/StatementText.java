package io.sqlcache.proxy.relay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A statement's text as the proxy reads it from COM_QUERY or COM_STMT_PREPARE.
 *
 * @param text    the decoded text
 * @param trusted false when it was decoded byte for byte because its character set is not known
 *                to be UTF-8: not cached, and as a write it invalidates everything
 */
record StatementText(String text, boolean trusted) {

    /**
     * Decodes {@code bytes}. Pure ASCII reads the same in every character set a client may use;
     * other bytes are decoded only when the session's character set is known to be UTF-8.
     * Anything else is decoded byte for byte (ISO-8859-1) and not trusted.
     */
    static StatementText decode(byte[] bytes, Session.TextDecoding decoding) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new StatementText(new String(bytes, StandardCharsets.ISO_8859_1), true);
        }
        if (decoding == Session.TextDecoding.UTF8) {
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                return new StatementText(s, true);
            } catch (CharacterCodingException e) {
                // fall through
            }
        }
        return new StatementText(new String(bytes, StandardCharsets.ISO_8859_1), false);
    }
}
