package dev.parley.e2e;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What one page receives from one remote participant, as {@code ParleyClient.receiverStats()} reports it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReceiverStats(String name, long videoFramesDecoded, long videoBytesReceived,
                            long audioBytesReceived, long audioSamplesReceived) {

    /** Whether video frames were decoded and audio arrived (bytes and samples) since {@code earlier}. */
    boolean mediaRoseSince(ReceiverStats earlier) {
        return videoRoseSince(earlier) && audioBytesReceived > earlier.audioBytesReceived
                && audioSamplesReceived > earlier.audioSamplesReceived;
    }

    /** Whether video frames were decoded since {@code earlier}. */
    boolean videoRoseSince(ReceiverStats earlier) {
        return videoFramesDecoded > earlier.videoFramesDecoded;
    }
}
