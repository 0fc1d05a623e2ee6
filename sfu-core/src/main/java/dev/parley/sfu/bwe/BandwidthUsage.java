package dev.parley.sfu.bwe;

/** What the delay trend says about the path: queues building (overusing), draining (underusing), or neither. */
public enum BandwidthUsage {
    NORMAL, OVERUSING, UNDERUSING
}
