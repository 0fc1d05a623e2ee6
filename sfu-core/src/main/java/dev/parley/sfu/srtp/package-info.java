/**
 * SRTP and SRTCP protection of media packets, in place on {@link dev.parley.sfu.packet.PacketBuffer}s.
 *
 * <p>{@link dev.parley.sfu.srtp.SrtpSession} wraps jitsi-srtp's per-SSRC crypto contexts with the bounded
 * context caches an SFU needs; {@link dev.parley.sfu.srtp.SrtpKeyingMaterial} carries the keys a DTLS-SRTP
 * handshake exported for one of the {@link dev.parley.sfu.srtp.SrtpProfile}s we negotiate.
 */
package dev.parley.sfu.srtp;
