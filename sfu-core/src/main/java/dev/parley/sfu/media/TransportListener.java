package dev.parley.sfu.media;

/** Told when a transport is lost for good: ICE consent expired, or its DTLS handshake failed. */
@FunctionalInterface
public interface TransportListener {
    void onTransportFailed(String why);
}
