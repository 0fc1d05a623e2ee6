package dev.parley.recorder.store;

/**
 * A file the store has confirmed.
 *
 * @param key where it is
 * @param size its length in bytes
 * @param location where an operator finds it: an absolute path for the local store, {@code s3://bucket/key}
 */
public record StoredObject(ObjectKey key, long size, String location) {
}
