package dev.parley.e2e;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The abuse test's STUN requests are only meaningful if they are right: check them against RFC 5769. */
class StunRequestTest {

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
        byte[] built = new StunRequest(transactionId, (byte) ' ')
                .attribute(StunRequest.SOFTWARE, "STUN test client".getBytes(StandardCharsets.US_ASCII))
                .attribute(StunRequest.PRIORITY, ByteBuffer.allocate(4).putInt(0x6e0001ff).array())
                .attribute(StunRequest.ICE_CONTROLLED, HexFormat.of().parseHex("932ff9b151263b36"))
                .attribute(StunRequest.USERNAME, "evtj:h6vY".getBytes(StandardCharsets.US_ASCII))
                .signed("VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.US_ASCII));
        assertEquals(expected, HexFormat.of().formatHex(built));
    }

    @Test
    void iceBindingRequestHasTheAttributesAnIceAgentSends() {
        byte[] request = StunRequest.iceBindingRequest(new byte[12], "srv1:cli1", "secret", 0x6e0001ff, 42L);
        ByteBuffer buffer = ByteBuffer.wrap(request);
        assertEquals(StunRequest.BINDING_REQUEST, buffer.getShort(0));
        assertEquals(request.length - 20, buffer.getShort(2));
        assertEquals(0x2112A442, buffer.getInt(4));
        int[] types = {StunRequest.USERNAME, StunRequest.PRIORITY, StunRequest.ICE_CONTROLLING,
                StunRequest.MESSAGE_INTEGRITY, StunRequest.FINGERPRINT};
        int offset = 20;
        for (int type : types) {
            assertEquals(type, buffer.getShort(offset) & 0xffff, "attribute at " + offset);
            int length = buffer.getShort(offset + 2);
            offset += 4 + (length + 3) / 4 * 4;
        }
        assertEquals(request.length, offset);
    }
}
