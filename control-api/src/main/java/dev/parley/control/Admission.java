package dev.parley.control;

/**
 * The control plane's answer to "may this token (or no token) enter this room now", with the meeting's rules
 * that signaling enforces from there on.
 *
 * @param grant           the verified join token, or null for a guest who came by link
 * @param host            whether the participant hosts the room (admits from the lobby, is let in when full)
 * @param lobby           whether the participant waits in the lobby until a host admits it
 * @param maxParticipants how many may be in the room at once; 0 for a room with no meeting (no limit here)
 */
public record Admission(JoinGrant grant, boolean host, boolean lobby, int maxParticipants) {}
