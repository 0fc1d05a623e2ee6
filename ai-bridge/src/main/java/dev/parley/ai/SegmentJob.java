package dev.parley.ai;

import dev.parley.ai.audio.Pcm16k;

/** A speech segment of a meeting waiting for its inference calls. */
record SegmentJob(Captioning meeting, String participantId, String participantName, long startMillis, long endMillis,
                  Pcm16k audio) {}
