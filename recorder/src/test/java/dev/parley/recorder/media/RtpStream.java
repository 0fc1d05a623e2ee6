package dev.parley.recorder.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packetizes frames into RTP packets as a WebRTC sender would (RFC 3550 header, RFC 7741 VP8 descriptors,
 * RFC 6184 STAP-A/FU-A, RFC 7587 Opus), written independently of the code under test.
 */
public final class RtpStream {
    static final int MTU_PAYLOAD = 1100;

    final int ssrc;
    int seq;
    int pictureId = 0x1234;

    public RtpStream(int ssrc, int firstSeq) {
        this.ssrc = ssrc;
        this.seq = firstSeq;
    }

    static byte[] packet(int seq, int timestamp, int ssrc, boolean marker, byte[] payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = (byte) ((marker ? 0x80 : 0) | 96);
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (timestamp >>> 24);
        p[5] = (byte) (timestamp >>> 16);
        p[6] = (byte) (timestamp >>> 8);
        p[7] = (byte) timestamp;
        p[8] = (byte) (ssrc >>> 24);
        p[9] = (byte) (ssrc >>> 16);
        p[10] = (byte) (ssrc >>> 8);
        p[11] = (byte) ssrc;
        System.arraycopy(payload, 0, p, 12, payload.length);
        return p;
    }

    private byte[] next(int timestamp, boolean marker, byte[] payload) {
        byte[] p = packet(seq & 0xFFFF, timestamp, ssrc, marker, payload);
        seq++;
        return p;
    }

    /** One Opus packet, one RTP packet. */
    public byte[] opus(byte[] frame, int timestamp) {
        return next(timestamp, false, frame);
    }

    /** A VP8 frame split at {@link #MTU_PAYLOAD}, with a 15-bit PictureID in each descriptor. */
    public List<byte[]> vp8(byte[] frame, int timestamp) {
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < frame.length; at += MTU_PAYLOAD) {
            int len = Math.min(MTU_PAYLOAD, frame.length - at);
            byte[] payload = new byte[4 + len];
            payload[0] = (byte) (0x80 | (at == 0 ? 0x10 : 0)); // X, S (partition id 0)
            payload[1] = (byte) 0x80; // I
            payload[2] = (byte) (0x80 | (pictureId >>> 8 & 0x7F)); // M: 15-bit PictureID
            payload[3] = (byte) pictureId;
            System.arraycopy(frame, at, payload, 4, len);
            out.add(next(timestamp, at + len == frame.length, payload));
        }
        pictureId = (pictureId + 1) & 0x7FFF;
        return out;
    }

    /** An H.264 access unit: small NAL units aggregated in STAP-A, large ones in FU-A, others alone. */
    List<byte[]> h264(List<byte[]> nals, int timestamp) {
        List<byte[]> payloads = new ArrayList<>();
        List<byte[]> stap = new ArrayList<>();
        for (byte[] nal : nals) {
            if (nal.length < 100) {
                stap.add(nal);
                continue;
            }
            flushStap(stap, payloads);
            if (nal.length <= MTU_PAYLOAD) {
                payloads.add(nal);
            } else {
                for (int at = 1; at < nal.length; at += MTU_PAYLOAD) {
                    int len = Math.min(MTU_PAYLOAD, nal.length - at);
                    byte[] fu = new byte[2 + len];
                    fu[0] = (byte) ((nal[0] & 0xE0) | 28);
                    fu[1] = (byte) ((at == 1 ? 0x80 : 0) | (at + len == nal.length ? 0x40 : 0) | (nal[0] & 0x1F));
                    System.arraycopy(nal, at, fu, 2, len);
                    payloads.add(fu);
                }
            }
        }
        flushStap(stap, payloads);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            out.add(next(timestamp, i == payloads.size() - 1, payloads.get(i)));
        }
        return out;
    }

    private static void flushStap(List<byte[]> stap, List<byte[]> payloads) {
        if (stap.isEmpty()) {
            return;
        }
        if (stap.size() == 1) {
            payloads.add(stap.get(0));
        } else {
            int size = 1;
            for (byte[] n : stap) {
                size += 2 + n.length;
            }
            byte[] p = new byte[size];
            int nri = 0;
            int at = 1;
            for (byte[] n : stap) {
                nri = Math.max(nri, n[0] & 0x60);
                p[at] = (byte) (n.length >>> 8);
                p[at + 1] = (byte) n.length;
                System.arraycopy(n, 0, p, at + 2, n.length);
                at += 2 + n.length;
            }
            p[0] = (byte) (nri | 24);
            payloads.add(p);
        }
        stap.clear();
    }

    /** The payload of an RTP packet built by {@link #packet}. */
    public static byte[] payloadOf(byte[] packet) {
        return Arrays.copyOfRange(packet, 12, packet.length);
    }
}
