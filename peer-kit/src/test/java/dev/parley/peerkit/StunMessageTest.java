package dev.parley.peerkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Every test that speaks STUN to Parley relies on these messages being right: check them against RFC 5769. */
class StunMessageTest {

    @Test
    void buildsTheRfc5769SampleRequestByteForByte() {
        // RFC 5769, 2.1 "Sample Request": username "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt".
        String expected = "000100582112a442b7e7a701bc34d686fa87dfae"
                + "802200105354554e207465737420636c69656e74"
                + "002400046e0001ff"
                + "80290008932ff9b151263b36"
                + "000600096576746a3a68367659202020"
                + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
                + "80280004e57a3bcf";
        byte[] transactionId = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
        byte[] built = new StunMessage(StunMessage.BINDING_REQUEST, transactionId, (byte) ' ')
                .attribute(StunMessage.SOFTWARE, "STUN test client".getBytes(StandardCharsets.US_ASCII))
                .priority(0x6e0001ff)
                .iceControlled(0x932ff9b151263b36L)
                .username("evtj:h6vY")
                .integrity("VOkJxbRl1RmTxUk/WvJxBt")
                .fingerprint()
                .bytes();
        assertEquals(expected, HexFormat.of().formatHex(built));
    }

    @Test
    void iceCheckHasTheAttributesAControllingAgentSends() {
        byte[] request = StunMessage.iceCheck(new byte[12], "srv1:cli1", "secret", true, 42L);
        ByteBuffer buffer = ByteBuffer.wrap(request);
        assertEquals(StunMessage.BINDING_REQUEST, buffer.getShort(0));
        assertEquals(request.length - 20, buffer.getShort(2));
        assertEquals(0x2112A442, buffer.getInt(4));
        int[] types = {StunMessage.USERNAME, StunMessage.PRIORITY, StunMessage.ICE_CONTROLLING,
                StunMessage.USE_CANDIDATE, StunMessage.MESSAGE_INTEGRITY, StunMessage.FINGERPRINT};
        int offset = 20;
        for (int type : types) {
            assertEquals(type, buffer.getShort(offset) & 0xffff, "attribute at " + offset);
            int length = buffer.getShort(offset + 2);
            offset += 4 + (length + 3) / 4 * 4;
        }
        assertEquals(request.length, offset);
    }

    @Test
    void recognisesOnlyTheSuccessResponseToItsOwnTransaction() {
        byte[] tx = StunMessage.newTransactionId();
        byte[] success = new StunMessage(StunMessage.BINDING_SUCCESS, tx).fingerprint().bytes();
        assertTrue(StunMessage.isBindingSuccessFor(success, 0, success.length, tx));
        assertFalse(StunMessage.isBindingSuccessFor(success, 0, success.length, StunMessage.newTransactionId()));
        byte[] error = new StunMessage(StunMessage.BINDING_ERROR, tx).fingerprint().bytes();
        assertFalse(StunMessage.isBindingSuccessFor(error, 0, error.length, tx));
        assertFalse(StunMessage.isBindingSuccessFor(success, 0, 19, tx), "shorter than a header");
    }
}
