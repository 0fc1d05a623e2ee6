package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * What a published stream is handed of its publisher's transport: the way back up for the feedback it sends the
 * publisher (PLI, NACK). The stream never sees the whole transport, so the dependency runs one way only: transport
 * → stream. Loop only.
 */
interface RtcpFeedbackSink {
    /** Whether the publisher's transport can carry RTCP now (ICE checked, DTLS done, not closed). */
    boolean connected();

    /** The SSRC Parley's RTCP towards this publisher is sent from. */
    int rtcpSsrc();

    /** Encrypts and queues an RTCP packet towards the publisher (nothing when not connected). */
    void sendRtcp(PacketBuffer p);
}
