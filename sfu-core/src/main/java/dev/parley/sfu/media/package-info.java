/**
 * The media path: sockets, ICE-lite, DTLS-SRTP and the forwarding of RTP/RTCP between peers.
 *
 * <p>Every packet takes one of two listed pipelines (docs/media-path.md): {@code
 * RtpReceivePipeline} lists a received SRTP/SRTCP packet's steps (unprotect, transport-cc
 * record, find stream, RTX unwrap, duplicate check, statistics, history, audio level, fan-out, taps; RTCP by
 * type), {@code RtpSendPipeline} a sent copy's (pause / layer check, rewrite, transport-cc stamp, protect,
 * write).
 *
 * <p>Calls go one way: {@link PeerTransport} → its pipelines → {@link
 * PublishedStream} → {@code Forward} → the subscriber's {@code PacketSender}. A lower class
 * reaches up only through a narrow interface it is handed: a stream holds its publisher as an {@code
 * RtcpFeedbackSink}, a forward holds its stream as a {@code ForwardSource}. All of it is confined to the room's
 * media loop.
 */
package dev.parley.sfu.media;
