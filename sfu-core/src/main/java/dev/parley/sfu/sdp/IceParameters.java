package dev.parley.sfu.sdp;

/**
 * One side's transport parameters from SDP: ICE credentials and the DTLS certificate fingerprint.
 *
 * @param fingerprint in SDP form, e.g. {@code sha-256 AB:CD:...}
 * @param setup the DTLS role attribute: actpass, active or passive
 */
public record IceParameters(String ufrag, String pwd, String fingerprint, String setup) {}
