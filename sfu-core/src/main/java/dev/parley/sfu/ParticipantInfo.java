package dev.parley.sfu;

/** A snapshot of a participant as others see it. */
public record ParticipantInfo(String id, String name, boolean audioMuted, boolean videoMuted) {}
