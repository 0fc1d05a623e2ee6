package dev.parley.sfu.dtls;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DtlsWarmUpTest {
    @Test
    void runsEveryHandshakeToTheEnd() {
        // Each one is a full DTLS-SRTP handshake of DtlsServerSession with a browser-like client, in memory.
        assertEquals(3, DtlsWarmUp.run(3));
    }
}
