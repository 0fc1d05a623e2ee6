package dev.parley.sfu.tap;

import dev.parley.sfu.MediaKind;

/**
 * A published track as a tap sees it: who publishes it and how to decode it.
 *
 * @param trackId Parley's id of the track (the msid track id subscribers see)
 * @param participantId the publishing participant
 * @param participantName the publisher's display name
 * @param codec the codec name as negotiated ({@code opus}, {@code VP8}, {@code H264})
 * @param payloadType the publisher's RTP payload type, which the tapped packets carry unchanged
 * @param clockRate the RTP clock rate in Hz
 * @param channels audio channels from the rtpmap (1 when it names none, and for video)
 * @param fmtp the publisher's format parameters verbatim (e.g. {@code minptime=10;useinbandfec=1}), empty when none
 * @param muted whether the publisher had muted this kind (microphone or camera) when the tap learnt of the track
 */
public record TappedTrack(String trackId, String participantId, String participantName, MediaKind kind, String codec,
                          int payloadType, int clockRate, int channels, String fmtp, boolean muted) {}
