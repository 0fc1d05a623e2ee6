package dev.parley.sfu;

import dev.parley.sfu.media.PublishedStream;
import dev.parley.sfu.sdp.Codec;

/**
 * A published track: one audio or video stream a participant sends, which every other participant receives.
 *
 * @param id Parley's id for the track, unique in the server (used as the msid track id towards subscribers)
 * @param source what it carries (microphone, camera, screen), as its publisher declared it
 */
public record Track(String id, Participant owner, MediaKind kind, Codec codec, PublishedStream stream, TrackSource source) {}
