package dev.parley.control.events;

import java.net.URI;
import java.util.Objects;

/**
 * Where one integrator wants events POSTed: the API key it belongs to, the URL, and the secret the
 * body is signed with ({@link WebhookSignature}).
 */
public record WebhookTarget(String keyId, URI url, String secret) {
    public WebhookTarget {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        String scheme = url.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme) || url.getHost() == null) {
            throw new IllegalArgumentException("webhook URL must be an absolute http(s) URL, was " + url);
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("webhook secret for key " + keyId + " must not be empty");
        }
    }

    /** Leaves the secret out, so targets can be logged. */
    @Override
    public String toString() {
        return "WebhookTarget[keyId=" + keyId + ", url=" + url + "]";
    }
}
