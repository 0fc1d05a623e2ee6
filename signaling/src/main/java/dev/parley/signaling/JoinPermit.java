package dev.parley.signaling;

/**
 * What a participant may do, as its join token grants (or the open-room default).
 *
 * @param identity who the participant is (account id, integrator's user id, or a generated guest id)
 * @param name the display name to show, which a token may fix
 */
public record JoinPermit(String identity, String name, boolean canPublish, boolean canSubscribe) {}
