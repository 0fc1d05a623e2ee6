package dev.parley.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's root secret and the purpose-bound keys derived from it (HMAC-SHA256 of a label), so an access
 * token can never pass as a join token and a leaked derived key does not reveal the others.
 */
final class ServerSecret {
    static final String FILE_NAME = "secret.key";

    private final byte[] root;

    private ServerSecret(byte[] root) {
        this.root = root;
    }

    /** The configured secret, or the one in {@code dataDir/secret.key}, generating it (mode 0600) on first start. */
    static ServerSecret load(ControlConfig cfg) {
        if (cfg.jwtSecret() != null) {
            return new ServerSecret(cfg.jwtSecret().getBytes(StandardCharsets.UTF_8));
        }
        Path file = cfg.dataDir().resolve(FILE_NAME);
        try {
            Files.createDirectories(cfg.dataDir());
            String text = SecretFile.readOrCreate(file);
            if (text.getBytes(StandardCharsets.UTF_8).length < 32) {
                throw new IllegalStateException(file + " holds fewer than 32 bytes; delete it to generate a new secret "
                        + "(this invalidates issued tokens and stored API key secrets)");
            }
            return new ServerSecret(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the server secret " + file, e);
        }
    }

    /** A 256-bit key for one purpose ({@code "access-token"}, {@code "join-token"}, ...). */
    byte[] derive(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(root, "HmacSHA256"));
            return mac.doFinal(("parley/" + purpose).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
