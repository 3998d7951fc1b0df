package io.sqlcache.proxy.protocol;

import java.util.HexFormat;

/** Byte sequences written as in the protocol documentation: hex pairs separated by spaces. */
final class Hex {

    private Hex() {
    }

    static byte[] bytes(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }
}
