package dev.parley.sfu.srtp;

import dev.parley.sfu.packet.PacketBuffer;
import java.lang.management.ManagementFactory;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What SRTP protect costs per packet copy, per way of doing it, in one JVM so the ways share the machine's noise:
 * thread CPU time and heap allocated per protected packet, for browser-shaped RTP packets (an 8-byte header
 * extension, 100 bytes in all as audio is, 1100 as video is). As at a 1→N fan-out, each packet is protected once
 * for each of {@code --contexts} sessions (one SSRC context each), round-robin. The ways, interleaved round by round
 * after a warm-up:
 *
 * <ul>
 *   <li>{@code jitsi-gcm}, {@code jitsi-cm}: {@link SrtpSession#protectRtp} with jitsi-srtp's contexts (OpenSSL
 *   through JNI when it loads), for AEAD_AES_128_GCM and AES128_CM_HMAC_SHA1_80;</li>
 *   <li>{@code parley-gcm}: {@link SrtpSession#protectRtp} as it runs where OpenSSL loads, with
 *   {@link GcmRtpProtector};</li>
 *   <li>{@code jdk-gcm}: SunJCE {@code AES/GCM/NoPadding}, one {@code Cipher} per context, {@code init} with a new
 *   {@link GCMParameterSpec} per packet, {@code updateAAD} on the header, {@code doFinal} in place;</li>
 *   <li>{@code jdk-gcm-twospecs}: the same, but alternating two reusable specs whose IV array is rewritten (SunJCE
 *   refuses an encryption {@code init} whose key and IV equal the previous one, so one spec rewritten in place is
 *   refused, two alternating are not);</li>
 *   <li>{@code openssl-gcm}: the OpenSSL AES-GCM cipher {@code jitsi-gcm} ends up in (jitsi-srtp's JCE provider over
 *   its JNI binding), driven as {@code jdk-gcm-twospecs} is: what an SRTP transform of Parley's own on that cipher
 *   would cost, without jitsi-srtp's per-packet objects;</li>
 *   <li>{@code jdk-cm}: AES-CM as SunJCE {@code AES/ECB/NoPadding} over counter blocks (no re-init per packet)
 *   and HMAC-SHA1 on a reused {@code MessageDigest} (a {@code Mac}'s {@code doFinal} allocates its result).</li>
 * </ul>
 *
 * Before measuring, each JDK way's output is checked byte for byte against jitsi-srtp's for the same keys and
 * packet, so all ways do the same work. Run: {@code java -cp
 * "bench/target/parley-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.parley.sfu.srtp.SrtpProtectCost
 * [--contexts 100] [--packets 20000] [--rounds 7]}.
 */
public final class SrtpProtectCost {
    private static final int EXTENSION = 8;

    /** jitsi-srtp's JCE provider over its OpenSSL binding: the cipher {@code jitsi-gcm} uses, without jitsi-srtp's SRTP code. */
    private static final java.security.Provider OPENSSL = new org.jitsi.srtp.crypto.JitsiOpenSslProvider();

    private SrtpProtectCost() {
    }

    /** Protects the packet in place for one context; returns false if refused. */
    interface Protector {
        boolean protect(PacketBuffer p) throws GeneralSecurityException;
    }

    interface Way {
        String name();

        SrtpProfile profile();

        Protector create(SrtpKeyingMaterial keys) throws GeneralSecurityException;
    }

    private record Simple(String name, SrtpProfile profile, Factory factory) implements Way {
        @Override
        public Protector create(SrtpKeyingMaterial keys) throws GeneralSecurityException {
            return factory.create(keys);
        }
    }

    private interface Factory {
        Protector create(SrtpKeyingMaterial keys) throws GeneralSecurityException;
    }

    public static void main(String[] args) throws Exception {
        int contexts = 100;
        int packets = 20_000;
        int rounds = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--contexts" -> contexts = Integer.parseInt(args[i + 1]);
                case "--packets" -> packets = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--contexts, --packets, --rounds)");
            }
        }
        System.out.println("SRTP crypto: " + SrtpSession.cryptoBackend());
        System.out.println("java " + Runtime.version() + ", " + contexts + " contexts, " + packets
                + " packets per way per round, " + rounds + " rounds");
        Way[] ways = ways();
        Random random = new Random(7);
        for (Way w : ways) {
            if (!w.name().startsWith("jitsi")) {
                checkAgainstJitsi(w, random);
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long tid = Thread.currentThread().threadId();
        // The process's CPU time also counts the garbage collector's threads, which the thread time leaves out.
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int size : new int[] {100, 1100}) {
            Protector[][] protectors = new Protector[ways.length][contexts];
            for (int w = 0; w < ways.length; w++) {
                for (int c = 0; c < contexts; c++) {
                    protectors[w][c] = ways[w].create(randomKeys(ways[w].profile(), random));
                }
            }
            PacketBuffer p = new PacketBuffer();
            int[] seq = new int[ways.length];
            long[][] cpu = new long[ways.length][rounds];
            long[][] bytes = new long[ways.length][rounds];
            long[][] process = new long[ways.length][rounds];
            for (int w = 0; w < ways.length; w++) { // warm-up: JIT, providers' first use
                seq[w] = run(protectors[w], p, size, seq[w], Math.max(packets, 50_000));
            }
            for (int r = 0; r < rounds; r++) {
                for (int w = 0; w < ways.length; w++) {
                    long process0 = os.getProcessCpuTime();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long bytes0 = threads.getThreadAllocatedBytes(tid);
                    seq[w] = run(protectors[w], p, size, seq[w], packets);
                    cpu[w][r] = threads.getCurrentThreadCpuTime() - cpu0;
                    bytes[w][r] = threads.getThreadAllocatedBytes(tid) - bytes0;
                    process[w][r] = os.getProcessCpuTime() - process0;
                }
            }
            for (int w = 0; w < ways.length; w++) {
                long[] c = cpu[w].clone();
                Arrays.sort(c);
                long[] b = bytes[w].clone();
                Arrays.sort(b);
                long[] pr = process[w].clone();
                Arrays.sort(pr);
                System.out.printf("%5d bytes %-17s %6.3f µs thread CPU per packet (median of %d rounds, min %.3f),"
                        + " %6.3f µs process CPU, %5.1f bytes allocated%n", size, ways[w].name(),
                        c[rounds / 2] / 1e3 / packets, rounds, c[0] / 1e3 / packets, pr[rounds / 2] / 1e3 / packets,
                        (double) b[rounds / 2] / packets);
            }
        }
    }

    /** The ways compared, jitsi-srtp's first for each profile. */
    static Way[] ways() {
        return new Way[] {
            new Simple("jitsi-gcm", SrtpProfile.AEAD_AES_128_GCM, SrtpProtectCost::jitsi),
            new Simple("jdk-gcm", SrtpProfile.AEAD_AES_128_GCM, k -> new JdkGcm(k, false, "SunJCE")),
            new Simple("jdk-gcm-twospecs", SrtpProfile.AEAD_AES_128_GCM, k -> new JdkGcm(k, true, "SunJCE")),
            new Simple("openssl-gcm", SrtpProfile.AEAD_AES_128_GCM, k -> new JdkGcm(k, true, OPENSSL)),
            new Simple("parley-gcm", SrtpProfile.AEAD_AES_128_GCM, SrtpProtectCost::parley),
            new Simple("jitsi-cm", SrtpProfile.AES128_CM_HMAC_SHA1_80, SrtpProtectCost::jitsi),
            new Simple("jdk-cm", SrtpProfile.AES128_CM_HMAC_SHA1_80, JdkCm::new),
        };
    }

    static SrtpKeyingMaterial randomKeys(SrtpProfile profile, Random random) {
        byte[] exported = new byte[2 * (profile.keyLength() + profile.saltLength())];
        random.nextBytes(exported);
        return SrtpKeyingMaterial.fromExporterOutput(profile, exported);
    }

    private static Protector jitsi(SrtpKeyingMaterial keys) {
        SrtpSession s = new SrtpSession(keys, SrtpSession.Role.DTLS_SERVER, SrtpSession.DEFAULT_MAX_SSRCS, false);
        return s::protectRtp;
    }

    private static Protector parley(SrtpKeyingMaterial keys) {
        SrtpSession s = new SrtpSession(keys, SrtpSession.Role.DTLS_SERVER, SrtpSession.DEFAULT_MAX_SSRCS, true);
        return s::protectRtp;
    }

    /** Protects {@code count} packets of {@code size} bytes, each for the next context in turn; returns the next seq. */
    private static int run(Protector[] protectors, PacketBuffer p, int size, int seq, int count)
            throws GeneralSecurityException {
        int payload = size - 12 - EXTENSION;
        for (int i = 0; i < count; i++) {
            if (i % protectors.length == 0) {
                seq++;
            }
            // The header is rewritten per copy as the SFU does (SSRC, sequence number); the payload is
            // whatever the last copy left, which costs the cipher the same.
            writeHeader(p, 0x1234_5678, seq);
            p.setWindow(PacketBuffer.HEADROOM, 12 + EXTENSION + payload);
            if (!protectors[i % protectors.length].protect(p)) {
                throw new IllegalStateException("protect refused");
            }
        }
        return seq;
    }

    static void writeHeader(PacketBuffer p, int ssrc, int seq) {
        byte[] a = p.array();
        int i = PacketBuffer.HEADROOM;
        a[i] = (byte) 0x90;
        a[i + 1] = 111;
        a[i + 2] = (byte) (seq >> 8);
        a[i + 3] = (byte) seq;
        a[i + 8] = (byte) (ssrc >> 24);
        a[i + 9] = (byte) (ssrc >> 16);
        a[i + 10] = (byte) (ssrc >> 8);
        a[i + 11] = (byte) ssrc;
        a[i + 12] = (byte) 0xBE;
        a[i + 13] = (byte) 0xDE;
        a[i + 14] = 0;
        a[i + 15] = 1;
        a[i + 16] = 0x10;
        a[i + 17] = 0x7F;
        a[i + 18] = 0;
        a[i + 19] = 0;
    }

    /** The same keys and packets through jitsi-srtp and {@code way} must give the same bytes. */
    static void checkAgainstJitsi(Way way, Random random) throws GeneralSecurityException {
        SrtpKeyingMaterial keys = randomKeys(way.profile(), random);
        Protector reference = jitsi(keys);
        Protector candidate = way.create(keys);
        PacketBuffer a = new PacketBuffer();
        PacketBuffer b = new PacketBuffer();
        for (int seq = 65_530; seq < 65_545; seq++) { // across a rollover
            int length = 12 + EXTENSION + 300 + seq % 7;
            writeHeader(a, 0x0BAD_CAFE, seq & 0xFFFF);
            for (int i = 12 + EXTENSION; i < length; i++) {
                a.array()[PacketBuffer.HEADROOM + i] = (byte) (seq * 31 + i);
            }
            a.setWindow(PacketBuffer.HEADROOM, length);
            b.copyFrom(a);
            if (!reference.protect(a) || !candidate.protect(b) || a.length() != b.length()
                    || !Arrays.equals(a.array(), a.offset(), a.offset() + a.length(),
                            b.array(), b.offset(), b.offset() + b.length())) {
                throw new IllegalStateException(way.name() + " differs from jitsi-srtp at seq " + seq);
            }
        }
    }

    /** Rollover counter estimate of a sender: counts wraps of the sequence numbers it sends. */
    private static final class SendIndex {
        private int roc;
        private int lastSeq = -1;

        int roc(int seq) {
            if (lastSeq >= 0 && seq < lastSeq && lastSeq - seq > 0x8000) {
                roc++;
            }
            lastSeq = seq;
            return roc;
        }
    }

    /** AES-GCM (RFC 7714) by SunJCE, one Cipher per SSRC context. */
    private static final class JdkGcm implements Protector {
        private final Cipher cipher;
        private final SecretKeySpec key;
        private final byte[] salt;
        private final SendIndex index = new SendIndex();
        private final boolean reuseSpecs;
        private final ReusedSpec[] specs = {new ReusedSpec(), new ReusedSpec()};
        private final byte[] iv = new byte[12];
        private int next;

        JdkGcm(SrtpKeyingMaterial keys, boolean reuseSpecs, Object provider) throws GeneralSecurityException {
            this.reuseSpecs = reuseSpecs;
            byte[] masterKey = keys.serverKey();
            byte[] masterSalt = keys.serverSalt();
            this.key = new SecretKeySpec(SrtpKdf.derive(masterKey, masterSalt, 0, 16), "AES");
            this.salt = SrtpKdf.derive(masterKey, masterSalt, 2, 12);
            this.cipher = provider instanceof String name ? Cipher.getInstance("AES/GCM/NoPadding", name)
                    : Cipher.getInstance("AES/GCM/NoPadding", (java.security.Provider) provider);
        }

        @Override
        public boolean protect(PacketBuffer p) throws GeneralSecurityException {
            byte[] a = p.array();
            int off = p.offset();
            int len = p.length();
            int header = headerLength(a, off, len);
            int seq = ((a[off + 2] & 0xFF) << 8) | (a[off + 3] & 0xFF);
            int roc = index.roc(seq);
            byte[] v;
            GCMParameterSpec spec;
            if (reuseSpecs) {
                ReusedSpec s = specs[next];
                next ^= 1;
                v = s.iv;
                spec = s;
            } else {
                v = iv;
                spec = null;
            }
            v[0] = salt[0];
            v[1] = salt[1];
            for (int i = 0; i < 4; i++) {
                v[2 + i] = (byte) (salt[2 + i] ^ a[off + 8 + i]);
                v[6 + i] = (byte) (salt[6 + i] ^ (roc >>> (24 - 8 * i)));
            }
            v[10] = (byte) (salt[10] ^ a[off + 2]);
            v[11] = (byte) (salt[11] ^ a[off + 3]);
            if (spec == null) {
                spec = new GCMParameterSpec(128, v);
            }
            cipher.init(Cipher.ENCRYPT_MODE, key, spec);
            cipher.updateAAD(a, off, header);
            int n = cipher.doFinal(a, off + header, len - header, a, off + header);
            p.setLength(header + n);
            return true;
        }
    }

    /**
     * A GCM parameter spec whose IV array is handed out as it is, not copied, so one object serves many packets.
     * SunJCE keeps the array it gets as the "last IV", so the same spec must not be used for two inits in a row.
     */
    private static final class ReusedSpec extends GCMParameterSpec {
        final byte[] iv = new byte[12];

        ReusedSpec() {
            super(128, new byte[12]);
        }

        @Override
        public byte[] getIV() {
            return iv;
        }
    }

    /** AES-CM with HMAC-SHA1-80 (RFC 3711): keystream by AES-ECB over counter blocks, HMAC on a MessageDigest. */
    private static final class JdkCm implements Protector {
        private final Cipher ecb;
        private final byte[] salt;
        private final MessageDigest sha1;
        private final byte[] innerPad = new byte[64];
        private final byte[] outerPad = new byte[64];
        private final byte[] counters = new byte[PacketBuffer.MAX_DATAGRAM + 16];
        private final byte[] keystream = new byte[PacketBuffer.MAX_DATAGRAM + 16];
        private final byte[] digest = new byte[20];
        private final byte[] rocBytes = new byte[4];
        private final SendIndex index = new SendIndex();

        JdkCm(SrtpKeyingMaterial keys) throws GeneralSecurityException {
            byte[] masterKey = keys.serverKey();
            byte[] masterSalt = keys.serverSalt();
            ecb = Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(SrtpKdf.derive(masterKey, masterSalt, 0, 16), "AES"));
            byte[] authKey = SrtpKdf.derive(masterKey, masterSalt, 1, 20);
            salt = SrtpKdf.derive(masterKey, masterSalt, 2, 14);
            for (int i = 0; i < 64; i++) {
                byte k = i < authKey.length ? authKey[i] : 0;
                innerPad[i] = (byte) (k ^ 0x36);
                outerPad[i] = (byte) (k ^ 0x5C);
            }
            sha1 = MessageDigest.getInstance("SHA-1", "SUN");
        }

        @Override
        public boolean protect(PacketBuffer p) throws GeneralSecurityException {
            byte[] a = p.array();
            int off = p.offset();
            int len = p.length();
            int header = headerLength(a, off, len);
            int seq = ((a[off + 2] & 0xFF) << 8) | (a[off + 3] & 0xFF);
            int roc = index.roc(seq);
            int payload = len - header;
            int blocks = (payload + 15) >>> 4;
            // IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16; the block counter goes in the last two bytes.
            long high = (long) LONG.get(salt, 0) ^ ((long) (int) INT.get(a, off + 8) & 0xFFFF_FFFFL);
            long low = (((long) LONG.get(salt, 6) << 16) ^ ((long) roc << 32)
                    ^ ((long) (((a[off + 2] & 0xFF) << 8) | (a[off + 3] & 0xFF)) << 16)) & 0xFFFF_FFFF_FFFF_0000L;
            byte[] c = counters;
            for (int b = 0; b < blocks; b++) {
                LONG.set(c, b << 4, high);
                LONG.set(c, (b << 4) + 8, low | b);
            }
            ecb.update(c, 0, blocks << 4, keystream, 0);
            int start = off + header;
            int i = 0;
            for (; i + 8 <= payload; i += 8) {
                LONG.set(a, start + i, (long) LONG.get(a, start + i) ^ (long) LONG.get(keystream, i));
            }
            for (; i < payload; i++) {
                a[start + i] ^= keystream[i];
            }
            rocBytes[0] = (byte) (roc >>> 24);
            rocBytes[1] = (byte) (roc >>> 16);
            rocBytes[2] = (byte) (roc >>> 8);
            rocBytes[3] = (byte) roc;
            sha1.update(innerPad);
            sha1.update(a, off, len);
            sha1.update(rocBytes);
            sha1.digest(digest, 0, 20);
            sha1.update(outerPad);
            sha1.update(digest, 0, 20);
            sha1.digest(digest, 0, 20);
            System.arraycopy(digest, 0, a, off + len, 10);
            p.setLength(len + 10);
            return true;
        }
    }

    private static final java.lang.invoke.VarHandle LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private static int headerLength(byte[] a, int off, int len) {
        int header = 12 + 4 * (a[off] & 0x0F);
        if ((a[off] & 0x10) != 0) {
            header += 4 + 4 * (((a[off + header + 2] & 0xFF) << 8) | (a[off + header + 3] & 0xFF));
        }
        return header;
    }

    /** The AES-CM key derivation of RFC 3711 section 4.3 with a key derivation rate of zero. */
    static final class SrtpKdf {
        private SrtpKdf() {
        }

        /**
         * {@code length} bytes for {@code label}: AES in counter mode under the master key, from the master salt
         * (a 12-byte salt padded with zeros to 14, as RFC 7714 uses it) XOR the label in byte 7.
         */
        static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length)
                throws GeneralSecurityException {
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
            int blocks = (length + 15) / 16;
            byte[] in = new byte[16 * blocks];
            for (int b = 0; b < blocks; b++) {
                System.arraycopy(masterSalt, 0, in, 16 * b, masterSalt.length);
                in[16 * b + 7] ^= (byte) label;
                in[16 * b + 15] = (byte) b;
            }
            return Arrays.copyOf(aes.doFinal(in), length);
        }
    }
}
