package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void productionParametersProduceAVerifiablePhcString() {
        String hash = PasswordHasher.DEFAULT.hash("s3cret pässword 😀");
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        assertTrue(PasswordHasher.DEFAULT.verify("s3cret pässword 😀", hash));
        assertFalse(PasswordHasher.DEFAULT.verify("s3cret pässword", hash));
        assertNotEquals(hash, PasswordHasher.DEFAULT.hash("s3cret pässword 😀"), "salted");
    }

    @Test
    void hashesVerifyWithTheParametersTheyWereMadeWith() {
        String cheap = new PasswordHasher(1024, 1, 1).hash("pw-12345");
        assertTrue(PasswordHasher.DEFAULT.verify("pw-12345", cheap));
    }

    @Test
    void malformedOrHostileHashesNeverMatch() {
        PasswordHasher h = new PasswordHasher(1024, 1, 1);
        String good = h.hash("pw-12345");
        String[] bad = {"", "$", "plain", good.replace("argon2id", "argon2i"), good.replace("v=19", "v=16"),
                good.replace("m=1024", "m=99999999"), good.replace("t=1", "t=x"), good.substring(0, good.length() - 5) + "!!!!!",
                good.replace(",p=1", ""), "$argon2id$v=19$m=1024,t=1,p=1$$"};
        for (String b : bad) {
            assertFalse(h.verify("pw-12345", b), b);
        }
    }
}
