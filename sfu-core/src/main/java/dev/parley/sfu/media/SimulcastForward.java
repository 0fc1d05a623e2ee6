package dev.parley.sfu.media;

/**
 * Which simulcast layer one subscriber gets of one stream, and the switch between layers: the subscriber keeps
 * getting the current layer until the target layer's next keyframe, and from that keyframe on only the target
 * layer, so its decoder never gets a frame that references a picture of another layer. The outgoing numbering
 * continues across the switch in the forward's {@link SwitchingRewriter}.
 *
 * <p>Loop-confined.
 */
final class SimulcastForward {
    /** The layer sent now; {@link SimulcastLayerSelector#NONE} before the first keyframe and while paused. */
    private int current = SimulcastLayerSelector.NONE;
    /** The layer to switch to at its next keyframe; NONE pauses. */
    private int target = SimulcastLayerSelector.NONE;
    /** Until the first choice, the first keyframe of any layer starts the stream (the choice then corrects it). */
    private boolean decided;
    /** The layer this subscriber would want were every layer flowing: what keeps a paused layer needed. */
    int wanted = SimulcastLayerSelector.NONE;
    /** The tile the subscriber's page renders this video in; -1 until it says. 0x0 is hidden. */
    int tileWidth = -1;
    int tileHeight = -1;

    int current() {
        return current;
    }

    int target() {
        return target;
    }

    /** Whether a layer has been chosen (else the first keyframe of any layer starts the stream). */
    boolean decided() {
        return decided;
    }

    /** Sets the layer to switch to; returns whether it changed (the caller then asks that layer for a keyframe). */
    boolean retarget(int layer) {
        boolean changed = !decided || layer != target;
        decided = true;
        target = layer;
        if (layer == SimulcastLayerSelector.NONE) {
            current = SimulcastLayerSelector.NONE; // paused: resuming starts afresh at a keyframe
        }
        return changed && layer != SimulcastLayerSelector.NONE && layer != current;
    }

    /**
     * Whether a packet of {@code layer} goes to the subscriber. A keyframe of the target layer switches to it (and
     * starts a new segment of the rewriter).
     */
    boolean accept(int layer, boolean keyframe, SwitchingRewriter rewriter) {
        if (keyframe && layer != current && (decided ? layer == target : current == SimulcastLayerSelector.NONE)) {
            current = layer;
            if (!decided) {
                target = layer;
            }
            rewriter.beginSegment();
            return true;
        }
        return layer == current;
    }
}
