/**
 * DTLS 1.2 for DTLS-SRTP: the SFU's certificate and the server side of the handshake that authenticates a
 * browser by its SDP fingerprint and exports SRTP keys.
 *
 * <p>BouncyCastle's DTLS API blocks a thread per handshake, so {@link dev.parley.sfu.dtls.DtlsServerSession}
 * runs it on an executor the caller supplies and takes its input from the media event loop through a bounded
 * queue: the event loop never waits. {@link dev.parley.sfu.dtls.HandshakeAdmission} hands out those threads:
 * only for a plausible ClientHello, and within caps per source address and per room
 * ({@link dev.parley.sfu.dtls.HandshakeLimits}), so that no one can make the others' handshakes wait.
 */
package dev.parley.sfu.dtls;
