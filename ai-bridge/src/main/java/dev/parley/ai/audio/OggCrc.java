package dev.parley.ai.audio;

/** The Ogg page checksum: CRC-32 with polynomial 0x04C11DB7, no reflection, initial value 0, the CRC field as 0. */
final class OggCrc {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int j = 0; j < 8; j++) {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            }
            TABLE[i] = r;
        }
    }

    private OggCrc() {}

    /** The CRC of the page at {@code b[offset .. offset+length)}, reading its CRC field (bytes 22-25) as zero. */
    static int of(byte[] b, int offset, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            int v = (i >= 22 && i < 26) ? 0 : b[offset + i] & 0xFF;
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ v) & 0xFF];
        }
        return crc;
    }
}
