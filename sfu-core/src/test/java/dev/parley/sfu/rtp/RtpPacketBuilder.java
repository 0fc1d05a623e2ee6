package dev.parley.sfu.rtp;

import java.io.ByteArrayOutputStream;

/** Builds RTP packets byte by byte from the RFC 3550 / RFC 8285 layouts, independently of the code under test. */
public final class RtpPacketBuilder {
    int version = 2;
    int payloadType = 96;
    boolean marker;
    int sequenceNumber;
    int timestamp;
    int ssrc;
    int[] csrcs = new int[0];
    int extensionProfile = -1;
    private final ByteArrayOutputStream extension = new ByteArrayOutputStream();
    byte[] payload = new byte[0];
    int padding;

    public RtpPacketBuilder payloadType(int pt) {
        payloadType = pt;
        return this;
    }

    RtpPacketBuilder marker(boolean m) {
        marker = m;
        return this;
    }

    public RtpPacketBuilder seq(int s) {
        sequenceNumber = s;
        return this;
    }

    public RtpPacketBuilder timestamp(int t) {
        timestamp = t;
        return this;
    }

    public RtpPacketBuilder ssrc(int s) {
        ssrc = s;
        return this;
    }

    RtpPacketBuilder csrcs(int... c) {
        csrcs = c;
        return this;
    }

    public RtpPacketBuilder payload(byte... p) {
        payload = p;
        return this;
    }

    RtpPacketBuilder padding(int count) {
        padding = count;
        return this;
    }

    /** Appends a one-byte-form element (RFC 8285 section 4.2); switches the profile to 0xBEDE. */
    public RtpPacketBuilder oneByte(int id, int... data) {
        extensionProfile = 0xBEDE;
        extension.write(id << 4 | (data.length - 1));
        for (int d : data) {
            extension.write(d);
        }
        return this;
    }

    /** Appends a two-byte-form element (RFC 8285 section 4.3); switches the profile to 0x1000. */
    public RtpPacketBuilder twoByte(int id, int... data) {
        extensionProfile = 0x1000;
        extension.write(id);
        extension.write(data.length);
        for (int d : data) {
            extension.write(d);
        }
        return this;
    }

    /** Appends raw bytes to the extension block (padding bytes, malformed elements). */
    RtpPacketBuilder rawExtension(int profile, int... bytes) {
        extensionProfile = profile;
        for (int b : bytes) {
            extension.write(b);
        }
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean x = extensionProfile >= 0;
        out.write(version << 6 | (padding > 0 ? 0x20 : 0) | (x ? 0x10 : 0) | csrcs.length);
        out.write((marker ? 0x80 : 0) | payloadType);
        write16(out, sequenceNumber);
        write32(out, timestamp);
        write32(out, ssrc);
        for (int c : csrcs) {
            write32(out, c);
        }
        if (x) {
            byte[] ext = extension.toByteArray();
            int words = (ext.length + 3) / 4;
            write16(out, extensionProfile);
            write16(out, words);
            out.writeBytes(ext);
            for (int i = ext.length; i < words * 4; i++) {
                out.write(0);
            }
        }
        out.writeBytes(payload);
        for (int i = 1; i < padding; i++) {
            out.write(0);
        }
        if (padding > 0) {
            out.write(padding);
        }
        return out.toByteArray();
    }

    static void write16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    static void write32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
