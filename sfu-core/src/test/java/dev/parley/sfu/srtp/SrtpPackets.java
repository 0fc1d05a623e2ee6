package dev.parley.sfu.srtp;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import java.util.Random;

/** Builds plain RTP/RTCP packets and keying material for the SRTP tests. */
final class SrtpPackets {
    private SrtpPackets() {
    }

    static SrtpKeyingMaterial randomKeys(SrtpProfile profile, Random random) {
        byte[] exported = new byte[2 * (profile.keyLength() + profile.saltLength())];
        random.nextBytes(exported);
        return SrtpKeyingMaterial.fromExporterOutput(profile, exported);
    }

    /** Writes an RTP packet (V=2, PT 96, optional one-byte-header extension) at {@code offset} of {@code p}. */
    static void rtp(PacketBuffer p, int offset, int ssrc, int seq, int payloadLength, boolean withExtension) {
        byte[] a = p.array();
        int i = offset;
        a[i++] = (byte) (withExtension ? 0x90 : 0x80);
        a[i++] = 96;
        a[i++] = (byte) (seq >> 8);
        a[i++] = (byte) seq;
        int ts = seq * 3000;
        a[i++] = (byte) (ts >> 24);
        a[i++] = (byte) (ts >> 16);
        a[i++] = (byte) (ts >> 8);
        a[i++] = (byte) ts;
        i = writeInt(a, i, ssrc);
        if (withExtension) {
            a[i++] = (byte) 0xBE;
            a[i++] = (byte) 0xDE;
            a[i++] = 0;
            a[i++] = 1;
            a[i++] = 0x10; // id 1, length 1: an audio level
            a[i++] = 0x7F;
            a[i++] = 0;
            a[i++] = 0;
        }
        for (int k = 0; k < payloadLength; k++) {
            a[i++] = (byte) (seq + k);
        }
        p.setWindow(offset, i - offset);
    }

    /** Writes an RTCP receiver report with one report block at {@code offset} of {@code p}. */
    static void rtcpReceiverReport(PacketBuffer p, int offset, int senderSsrc, int mediaSsrc) {
        byte[] a = p.array();
        int i = offset;
        a[i++] = (byte) 0x81;
        a[i++] = (byte) 201;
        a[i++] = 0;
        a[i++] = 7;
        i = writeInt(a, i, senderSsrc);
        i = writeInt(a, i, mediaSsrc);
        for (int k = 0; k < 20; k++) {
            a[i++] = (byte) (k * 7);
        }
        p.setWindow(offset, i - offset);
    }

    static byte[] window(PacketBuffer p) {
        return Arrays.copyOfRange(p.array(), p.offset(), p.offset() + p.length());
    }

    static void load(PacketBuffer p, int offset, byte[] bytes) {
        System.arraycopy(bytes, 0, p.array(), offset, bytes.length);
        p.setWindow(offset, bytes.length);
    }

    private static int writeInt(byte[] a, int i, int v) {
        a[i] = (byte) (v >> 24);
        a[i + 1] = (byte) (v >> 16);
        a[i + 2] = (byte) (v >> 8);
        a[i + 3] = (byte) v;
        return i + 4;
    }
}
