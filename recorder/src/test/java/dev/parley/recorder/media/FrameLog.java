package dev.parley.recorder.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link FrameSink} that keeps copies of everything it is given, for assertions. */
final class FrameLog implements FrameSink {
    record Frame(byte[] data, long timestamp, boolean keyframe) {
    }

    final List<Frame> frames = new ArrayList<>();
    final List<int[]> resolutions = new ArrayList<>();
    int keyframeRequests;

    @Override
    public void frame(byte[] data, int offset, int length, long timestamp, boolean keyframe, long arrivalNanos) {
        frames.add(new Frame(Arrays.copyOfRange(data, offset, offset + length), timestamp, keyframe));
    }

    @Override
    public void resolution(int width, int height) {
        resolutions.add(new int[] {width, height});
    }

    @Override
    public void keyframeNeeded() {
        keyframeRequests++;
    }
}
