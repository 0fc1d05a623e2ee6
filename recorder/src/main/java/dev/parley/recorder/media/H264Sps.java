package dev.parley.recorder.media;

/**
 * Reads the picture size from an H.264 sequence parameter set (ITU-T H.264 section 7.3.2.1.1), cropping
 * included. Emulation prevention bytes are skipped while reading. Never throws; a truncated or absurd SPS gives
 * -1.
 */
final class H264Sps {
    private final byte[] buf;
    private final int end;
    private int byteAt;
    private int bitAt;
    private int zeros;
    private boolean overrun;

    private H264Sps(byte[] buf, int off, int len) {
        this.buf = buf;
        this.end = off + len;
        this.byteAt = off;
    }

    /** {@code width << 32 | height} of the SPS NAL unit (header byte included), or -1. */
    static long pictureSize(byte[] buf, int off, int len) {
        H264Sps r = new H264Sps(buf, off, len);
        return r.parse();
    }

    private long parse() {
        if ((bits(8) & 0x1F) != 7) {
            return -1;
        }
        int profile = bits(8);
        bits(16); // constraint flags, level
        ue(); // seq_parameter_set_id
        int chroma = 1;
        boolean separatePlanes = false;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chroma = ue();
            if (chroma == 3) {
                separatePlanes = bits(1) == 1;
            }
            ue(); // bit_depth_luma_minus8
            ue(); // bit_depth_chroma_minus8
            bits(1); // qpprime_y_zero_transform_bypass_flag
            if (bits(1) == 1) {
                for (int i = 0; i < (chroma != 3 ? 8 : 12) && !overrun; i++) {
                    if (bits(1) == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        ue(); // log2_max_frame_num_minus4
        int pocType = ue();
        if (pocType == 0) {
            ue();
        } else if (pocType == 1) {
            bits(1);
            se();
            se();
            int cycle = ue();
            if (cycle > 255) {
                return -1;
            }
            for (int i = 0; i < cycle && !overrun; i++) {
                se();
            }
        }
        ue(); // max_num_ref_frames
        bits(1); // gaps_in_frame_num_value_allowed_flag
        long widthMbs = ue() + 1L;
        long heightUnits = ue() + 1L;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) {
            bits(1);
        }
        bits(1); // direct_8x8_inference_flag
        long cropLeft = 0;
        long cropRight = 0;
        long cropTop = 0;
        long cropBottom = 0;
        if (bits(1) == 1) {
            cropLeft = ue();
            cropRight = ue();
            cropTop = ue();
            cropBottom = ue();
        }
        if (overrun || chroma > 3) {
            return -1;
        }
        int cropX = chroma == 0 || separatePlanes ? 1 : (chroma == 3 ? 1 : 2);
        int cropY = (chroma == 0 || separatePlanes ? 1 : (chroma == 1 ? 2 : 1)) * (2 - frameMbsOnly);
        long width = widthMbs * 16 - cropX * (cropLeft + cropRight);
        long height = (2 - frameMbsOnly) * heightUnits * 16 - cropY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
            return -1;
        }
        return width << 32 | height;
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size && !overrun; j++) {
            if (next != 0) {
                next = (last + se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private int ue() {
        int leading = 0;
        while (bits(1) == 0) {
            if (overrun || ++leading > 31) {
                overrun = true;
                return 0;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, (1L << leading) - 1 + bits(leading));
    }

    private int se() {
        int k = ue();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 1 | bit();
        }
        return v;
    }

    private int bit() {
        if (byteAt >= end) {
            overrun = true;
            return 0;
        }
        if (bitAt == 0 && zeros >= 2 && buf[byteAt] == 3) {
            // emulation_prevention_three_byte: not part of the RBSP.
            zeros = 0;
            byteAt++;
            if (byteAt >= end) {
                overrun = true;
                return 0;
            }
        }
        int b = buf[byteAt];
        int v = (b >>> (7 - bitAt)) & 1;
        if (++bitAt == 8) {
            bitAt = 0;
            zeros = b == 0 ? zeros + 1 : 0;
            byteAt++;
        }
        return v;
    }
}
