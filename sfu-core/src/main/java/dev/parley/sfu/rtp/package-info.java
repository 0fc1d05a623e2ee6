/**
 * The RTP/RTCP packet model of the media path: in-place readers and rewriters of RTP headers and RTCP packets,
 * RTCP writers, and the per-stream state the SFU keeps (send history for NACKs, receive statistics for receiver
 * reports, keyframe request throttling, codec keyframe detection).
 *
 * <p>Everything here is called per packet on a media event loop: nothing allocates, nothing locks or logs, and
 * parsers of network input reject malformed bytes with a result value instead of throwing. Stateful classes
 * belong to one thread.
 */
package dev.parley.sfu.rtp;
