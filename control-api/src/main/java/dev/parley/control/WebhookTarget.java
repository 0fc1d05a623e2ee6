package dev.parley.control;

/**
 * Where to deliver webhooks for one active API key: {@code url}, signed with the key's {@code secret} so the
 * integrator can check the sender, and labelled with {@code keyId}.
 */
public record WebhookTarget(String keyId, String url, String secret) {}
