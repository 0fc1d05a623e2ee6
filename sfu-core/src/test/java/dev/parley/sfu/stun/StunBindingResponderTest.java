package dev.parley.sfu.stun;

import dev.parley.peerkit.StunMessage;
import static dev.parley.peerkit.StunMessage.BINDING_ERROR;
import static dev.parley.peerkit.StunMessage.BINDING_REQUEST;
import static dev.parley.peerkit.StunMessage.BINDING_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.RawMessage;
import org.ice4j.stack.StunStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StunBindingResponderTest {
    static final String SERVER_UFRAG = "sRv8uFrG";
    static final String SERVER_PWD = "server+Password/0123456789";
    static final String BROWSER_UFRAG = "Br0w";
    static final String USERNAME = SERVER_UFRAG + ":" + BROWSER_UFRAG;
    static final byte[] TRANSACTION_ID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) 0xFC};
    static final InetSocketAddress FROM_V4 = address("203.0.113.7", 50_123);
    static final InetSocketAddress FROM_V6 = address("2001:db8::7:1", 61_000);

    private final StunBindingResponder responder =
            new StunBindingResponder(Map.of(SERVER_UFRAG, SERVER_PWD)::get);

    // ---- accepted requests ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.7", "2001:db8::7:1", "127.0.0.1", "::1"})
    void browserStyleRequestBuiltWithIce4jIsAcceptedAndAnsweredVerifiably(String source) throws Exception {
        InetSocketAddress from = address(source, 40_001);
        byte[] request = ice4jRequest(USERNAME, SERVER_PWD, 0x7E7F00FFL, true, true);

        StunResult.Accepted accepted = assertInstanceOf(StunResult.Accepted.class,
                responder.handle(request, 0, request.length, from));
        assertEquals(SERVER_UFRAG, accepted.localUfrag());
        assertEquals(BROWSER_UFRAG, accepted.remoteUfrag());
        assertTrue(accepted.useCandidate());
        assertEquals(0x7E7F00FFL, accepted.priority());

        // ice4j reads the response as a browser's stack would; decode() also rejects a bad FINGERPRINT.
        byte[] response = accepted.response();
        Message decoded = Message.decode(response, 0, response.length);
        assertEquals(Message.BINDING_SUCCESS_RESPONSE, decoded.getMessageType());
        assertArrayEquals(TRANSACTION_ID, decoded.getTransactionID());
        XorMappedAddressAttribute mapped =
                (XorMappedAddressAttribute) decoded.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        TransportAddress seen = mapped.getAddress(decoded.getTransactionID());
        assertEquals(from.getAddress(), seen.getAddress());
        assertEquals(from.getPort(), seen.getPort());
        assertTrue(ice4jVerifiesIntegrity(decoded, response, SERVER_PWD), "MESSAGE-INTEGRITY under server pwd");
        assertFalse(ice4jVerifiesIntegrity(decoded, response, SERVER_PWD + "x"), "and not under another pwd");

        // The same response read by the test's own decoder.
        DecodedStun own = DecodedStun.parse(response);
        assertEquals(List.of(StunMessage.XOR_MAPPED_ADDRESS, StunMessage.MESSAGE_INTEGRITY,
                StunMessage.FINGERPRINT), own.types());
        assertTrue(own.fingerprintVerifies());
        assertTrue(own.integrityVerifies(SERVER_PWD));
        assertEquals(from, own.xorMappedAddress());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void handBuiltBrowserCheckIsAccepted(boolean useCandidate) throws Exception {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 0xFFFF_FFFEL, useCandidate, SERVER_PWD);

        StunResult.Accepted accepted = assertInstanceOf(StunResult.Accepted.class,
                responder.handle(request, 0, request.length, FROM_V6));
        assertEquals(useCandidate, accepted.useCandidate());
        assertEquals(0xFFFF_FFFEL, accepted.priority(), "PRIORITY is unsigned");
        DecodedStun response = DecodedStun.parse(accepted.response());
        assertEquals(BINDING_SUCCESS, response.type());
        assertArrayEquals(TRANSACTION_ID, response.transactionId());
        assertEquals(FROM_V6, response.xorMappedAddress());
        assertTrue(response.integrityVerifies(SERVER_PWD));
        assertTrue(response.fingerprintVerifies());
    }

    @Test
    void requestInsideALargerBufferIsReadAtItsOffset() throws Exception {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 100, false, SERVER_PWD);
        byte[] buffer = new byte[request.length + 100];
        Arrays.fill(buffer, (byte) 0x5A);
        System.arraycopy(request, 0, buffer, 37, request.length);

        StunResult.Accepted accepted = assertInstanceOf(StunResult.Accepted.class,
                responder.handle(buffer, 37, request.length, FROM_V4));
        assertEquals(FROM_V4, DecodedStun.parse(accepted.response()).xorMappedAddress());
    }

    @Test
    void requestWithoutIceControlAttributesIsAccepted() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(5).integrity(SERVER_PWD).fingerprint().bytes();
        assertInstanceOf(StunResult.Accepted.class, responder.handle(request, 0, request.length, FROM_V4));
    }

    @Test
    void attributesAfterMessageIntegrityAreNotBelieved() {
        // USE-CANDIDATE after MESSAGE-INTEGRITY is not covered by the HMAC, so anyone could add it.
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(5).iceControlling(1).integrity(SERVER_PWD)
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .attribute(StunMessage.ICE_CONTROLLED, new byte[8])
                .fingerprint().bytes();
        StunResult.Accepted accepted = assertInstanceOf(StunResult.Accepted.class,
                responder.handle(request, 0, request.length, FROM_V4));
        assertFalse(accepted.useCandidate());
    }

    // ---- authentication ---------------------------------------------------------------------

    @Test
    void wrongPasswordIsRejectedWithUnauthenticatedAndNoIntegrity() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, "not-the-server-password-x");
        byte[] response = expectRejected(request, StunRejection.BAD_INTEGRITY);

        DecodedStun error = DecodedStun.parse(response);
        assertEquals(BINDING_ERROR, error.type());
        assertArrayEquals(TRANSACTION_ID, error.transactionId());
        assertEquals(401, error.errorCode());
        assertNull(error.attribute(StunMessage.MESSAGE_INTEGRITY), "401 must not carry MESSAGE-INTEGRITY");
        assertNull(error.attribute(StunMessage.XOR_MAPPED_ADDRESS));
        assertTrue(error.fingerprintVerifies());
    }

    @Test
    void passwordOfAnotherTransportDoesNotVerify() {
        StunBindingResponder twoTransports = new StunBindingResponder(
                Map.of(SERVER_UFRAG, SERVER_PWD, "other111", "other-password-0123456789")::get);
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, "other111:" + BROWSER_UFRAG, 1, true, SERVER_PWD);
        StunResult.Rejected rejected = assertInstanceOf(StunResult.Rejected.class,
                twoTransports.handle(request, 0, request.length, FROM_V4));
        assertEquals(StunRejection.BAD_INTEGRITY, rejected.reason());
    }

    @Test
    void unknownUfragIsRejectedWithUnauthenticated() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, "gone0000:" + BROWSER_UFRAG, 1, true, SERVER_PWD);
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.UNKNOWN_UFRAG));
        assertEquals(401, error.errorCode());
        assertNull(error.attribute(StunMessage.MESSAGE_INTEGRITY));
    }

    @Test
    void emptyPasswordCountsAsUnknownUfrag() {
        StunBindingResponder emptyPassword = new StunBindingResponder(ufrag -> "");
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        StunResult.Rejected rejected = assertInstanceOf(StunResult.Rejected.class,
                emptyPassword.handle(request, 0, request.length, FROM_V4));
        assertEquals(StunRejection.UNKNOWN_UFRAG, rejected.reason());
    }

    @Test
    void missingIntegrityIsRejectedWithBadRequest() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).iceControlling(1).fingerprint().bytes();
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.MISSING_INTEGRITY));
        assertEquals(400, error.errorCode());
        assertNull(error.attribute(StunMessage.MESSAGE_INTEGRITY));
    }

    @Test
    void missingUsernameIsRejectedWithBadRequest() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .priority(1).iceControlling(1).integrity(SERVER_PWD).fingerprint().bytes();
        assertEquals(400, DecodedStun.parse(expectRejected(request, StunRejection.MISSING_USERNAME)).errorCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sRv8uFrG", "sRv8uFrG:", ":Br0w", "", "sRv8uFrG:Br 0w", "sRv8uFrG:Brö"})
    void usernameThatIsNotTwoUfragsIsRejected(String username) {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(username).priority(1).iceControlling(1).integrity(SERVER_PWD).fingerprint().bytes();
        assertEquals(401, DecodedStun.parse(expectRejected(request, StunRejection.BAD_USERNAME)).errorCode());
    }

    @Test
    void unauthenticatedErrorIsDroppedWhenLargerThanTheRequest() {
        // Header plus FINGERPRINT only: a 400 answer would be larger, so a spoofed source gains nothing.
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID).fingerprint().bytes();
        assertEquals(28, request.length);
        StunResult.Rejected rejected = assertInstanceOf(StunResult.Rejected.class,
                responder.handle(request, 0, request.length, FROM_V4));
        assertEquals(StunRejection.MISSING_INTEGRITY, rejected.reason());
        assertNull(rejected.response());
    }

    // ---- authenticated errors ---------------------------------------------------------------

    @Test
    void iceControlledPeerGetsAnAuthenticatedRoleConflict() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).iceControlled(42).integrity(SERVER_PWD).fingerprint().bytes();
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.ROLE_CONFLICT));
        assertEquals(BINDING_ERROR, error.type());
        assertArrayEquals(TRANSACTION_ID, error.transactionId());
        assertEquals(487, error.errorCode());
        assertTrue(error.integrityVerifies(SERVER_PWD));
        assertTrue(error.fingerprintVerifies());
    }

    @Test
    void roleConflictIsReadableByIce4j() throws Exception {
        byte[] request = ice4jRequest(USERNAME, SERVER_PWD, 1, false, false);
        byte[] response = expectRejected(request, StunRejection.ROLE_CONFLICT);
        Message decoded = Message.decode(response, 0, response.length);
        assertEquals(Message.BINDING_ERROR_RESPONSE, decoded.getMessageType());
        assertEquals(487, ((ErrorCodeAttribute) decoded.getAttribute(Attribute.ERROR_CODE))
                .getErrorCode());
        assertTrue(ice4jVerifiesIntegrity(decoded, response, SERVER_PWD));
    }

    @Test
    void unknownComprehensionRequiredAttributeGetsUnknownAttributeError() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).iceControlling(1)
                .attribute(0x7777, new byte[] {1, 2, 3})
                .integrity(SERVER_PWD).fingerprint().bytes();
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.UNKNOWN_ATTRIBUTE));
        assertEquals(420, error.errorCode());
        byte[] unknown = error.attribute(StunMessage.UNKNOWN_ATTRIBUTES).value();
        assertEquals(0x7777, DecodedStun.shortAt(unknown, 0));
        assertTrue(error.integrityVerifies(SERVER_PWD));
        assertTrue(error.fingerprintVerifies());
    }

    @Test
    void unknownAttributesAreOnlyListedToAuthenticatedPeers() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).iceControlling(1)
                .attribute(0x7777, new byte[] {1, 2, 3})
                .integrity("not-the-server-password-x").fingerprint().bytes();
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.BAD_INTEGRITY));
        assertEquals(401, error.errorCode());
        assertNull(error.attribute(StunMessage.UNKNOWN_ATTRIBUTES));
    }

    @Test
    void missingPriorityGetsAuthenticatedBadRequest() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).iceControlling(1).integrity(SERVER_PWD).fingerprint().bytes();
        DecodedStun error = DecodedStun.parse(expectRejected(request, StunRejection.MISSING_PRIORITY));
        assertEquals(400, error.errorCode());
        assertTrue(error.integrityVerifies(SERVER_PWD));
    }

    // ---- structure and fingerprint --------------------------------------------------------

    @Test
    void badFingerprintIsDroppedSilently() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        request[request.length - 1] ^= 1;
        assertNull(expectRejected(request, StunRejection.BAD_FINGERPRINT));
    }

    @Test
    void missingFingerprintIsDroppedSilently() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).iceControlling(1).integrity(SERVER_PWD).bytes();
        assertNull(expectRejected(request, StunRejection.MISSING_FINGERPRINT));
    }

    @Test
    void fingerprintThatIsNotLastIsMalformed() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1).integrity(SERVER_PWD).fingerprint()
                .attribute(0x8022, "x".getBytes(StandardCharsets.US_ASCII)).bytes();
        assertNull(expectRejected(request, StunRejection.MALFORMED));
    }

    @Test
    void attributeLengthsThatBreakTheirTypeAreMalformed() {
        byte[][] requests = {
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username(USERNAME)
                    .attribute(StunMessage.PRIORITY, new byte[3]).integrity(SERVER_PWD).fingerprint().bytes(),
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username(USERNAME).priority(1)
                    .attribute(StunMessage.USE_CANDIDATE, new byte[4]).integrity(SERVER_PWD).fingerprint().bytes(),
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username(USERNAME).priority(1)
                    .attribute(StunMessage.ICE_CONTROLLING, new byte[4]).integrity(SERVER_PWD).fingerprint().bytes(),
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username(USERNAME).priority(1)
                    .attribute(StunMessage.MESSAGE_INTEGRITY, new byte[16]).fingerprint().bytes(),
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username(USERNAME).username(USERNAME).priority(1)
                    .integrity(SERVER_PWD).fingerprint().bytes(),
            new StunMessage(BINDING_REQUEST, TRANSACTION_ID).username("u".repeat(513)).priority(1)
                    .integrity(SERVER_PWD).fingerprint().bytes(),
        };
        for (byte[] request : requests) {
            assertNull(expectRejected(request, StunRejection.MALFORMED));
        }
    }

    @Test
    void attributeLengthRunningPastTheMessageIsMalformed() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        request[22] = 0x7F; // first attribute's length claims 32 KB
        assertNull(expectRejected(request, StunRejection.MALFORMED));
    }

    @Test
    void truncatedAtEveryLengthIsRejectedQuietly() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        for (int length = 0; length < request.length; length++) {
            StunResult result = responder.handle(request, 0, length, FROM_V4);
            StunResult.Rejected rejected = assertInstanceOf(StunResult.Rejected.class, result, "length " + length);
            assertEquals(StunRejection.NOT_STUN, rejected.reason(), "length " + length);
            assertNull(rejected.response());
        }
    }

    @Test
    void truncatedWithALengthFieldThatAgreesIsStillRejected() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        for (int length = 20; length < request.length; length += 4) {
            byte[] cut = Arrays.copyOf(request, length);
            cut[2] = (byte) ((length - 20) >>> 8);
            cut[3] = (byte) (length - 20);
            StunResult result = responder.handle(cut, 0, cut.length, FROM_V4);
            assertInstanceOf(StunResult.Rejected.class, result, "length " + length);
            assertNoSuccess(result);
        }
    }

    @Test
    void everySingleBitFlipIsRejectedWithoutASuccessResponse() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        for (int bit = 0; bit < request.length * 8; bit++) {
            byte[] tampered = request.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            StunResult result = responder.handle(tampered, 0, tampered.length, FROM_V4);
            assertInstanceOf(StunResult.Rejected.class, result, "bit " + bit);
            assertNoSuccess(result);
        }
    }

    @Test
    void bitFlipsUnderTheIntegrityWithARecomputedFingerprintAreNeverAccepted() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        int integrityOffset = DecodedStun.parse(request).attribute(StunMessage.MESSAGE_INTEGRITY).offset();
        for (int bit = 0; bit < (integrityOffset + 24) * 8; bit++) {
            byte[] tampered = request.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            StunMessage.refingerprint(tampered);
            StunResult result = responder.handle(tampered, 0, tampered.length, FROM_V4);
            assertInstanceOf(StunResult.Rejected.class, result, "bit " + bit);
            assertNoSuccess(result);
        }
    }

    @Test
    void alteredPriorityWithARecomputedFingerprintFailsIntegrity() {
        byte[] request = new StunMessage(BINDING_REQUEST, TRANSACTION_ID)
                .username(USERNAME).priority(1000).iceControlling(1).integrity(SERVER_PWD).fingerprint().bytes();
        int priority = DecodedStun.parse(request).attribute(StunMessage.PRIORITY).offset();
        request[priority + 7] ^= 0x01;
        StunMessage.refingerprint(request);
        assertEquals(401, DecodedStun.parse(expectRejected(request, StunRejection.BAD_INTEGRITY)).errorCode());
    }

    @Test
    void trailingBytesAfterTheMessageAreNotStun() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        byte[] longer = Arrays.copyOf(request, request.length + 4);
        assertNull(expectRejected(longer, StunRejection.NOT_STUN));
    }

    @Test
    void indicationsResponsesAndOtherMethodsAreNotBindingRequests() {
        int[] types = {StunMessage.BINDING_INDICATION, BINDING_SUCCESS, BINDING_ERROR, 0x0003 /* Allocate */};
        for (int type : types) {
            byte[] message = new StunMessage(type, TRANSACTION_ID)
                    .username(USERNAME).integrity(SERVER_PWD).fingerprint().bytes();
            assertNull(expectRejected(message, StunRejection.NOT_BINDING_REQUEST), "type " + type);
        }
    }

    @Test
    void wrongMagicCookieIsNotStun() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        request[4] = 0x22;
        assertNull(expectRejected(request, StunRejection.NOT_STUN));
    }

    // ---- demultiplexer check and caller mistakes --------------------------------------------

    @Test
    void looksLikeStunFollowsRfc7983() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        assertTrue(StunBindingResponder.looksLikeStun(request, 0, request.length));
        assertTrue(StunBindingResponder.looksLikeStun(request, 0, 20));
        assertFalse(StunBindingResponder.looksLikeStun(request, 0, 19));

        byte[] shifted = new byte[request.length + 3];
        System.arraycopy(request, 0, shifted, 3, request.length);
        assertTrue(StunBindingResponder.looksLikeStun(shifted, 3, request.length));
        assertFalse(StunBindingResponder.looksLikeStun(shifted, 0, request.length));

        for (int first : new int[] {4, 20, 63, 64, 128, 191, 255}) {
            byte[] other = request.clone();
            other[0] = (byte) first;
            assertFalse(StunBindingResponder.looksLikeStun(other, 0, other.length), "first byte " + first);
        }
        byte[] noCookie = request.clone();
        noCookie[7] ^= 1;
        assertFalse(StunBindingResponder.looksLikeStun(noCookie, 0, noCookie.length));
    }

    @Test
    void looksLikeStunIsFalseForRangesOutsideTheArray() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        assertFalse(StunBindingResponder.looksLikeStun(null, 0, 20));
        assertFalse(StunBindingResponder.looksLikeStun(request, -1, 20));
        assertFalse(StunBindingResponder.looksLikeStun(request, 0, -1));
        assertFalse(StunBindingResponder.looksLikeStun(request, 1, request.length));
        assertFalse(StunBindingResponder.looksLikeStun(request, Integer.MAX_VALUE, 20));
    }

    @Test
    void callerMistakesFailLoudly() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        assertThrows(IndexOutOfBoundsException.class, () -> responder.handle(request, 1, request.length, FROM_V4));
        assertThrows(IndexOutOfBoundsException.class, () -> responder.handle(request, -1, 10, FROM_V4));
        assertThrows(IllegalArgumentException.class, () -> responder.handle(request, 0, request.length,
                InetSocketAddress.createUnresolved("browser.example", 5000)));
        assertThrows(NullPointerException.class, () -> new StunBindingResponder(null));
    }

    @Test
    void handlingDoesNotModifyTheDatagram() {
        byte[] request = StunMessage.browserCheck(TRANSACTION_ID, USERNAME, 1, true, SERVER_PWD);
        byte[] copy = request.clone();
        responder.handle(request, 0, request.length, FROM_V4);
        assertArrayEquals(copy, request);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private byte[] expectRejected(byte[] datagram, StunRejection reason) {
        StunResult result = responder.handle(datagram, 0, datagram.length, FROM_V4);
        StunResult.Rejected rejected = assertInstanceOf(StunResult.Rejected.class, result);
        assertEquals(reason, rejected.reason());
        if (rejected.response() != null) {
            DecodedStun response = DecodedStun.parse(rejected.response());
            assertEquals(BINDING_ERROR, response.type());
            assertArrayEquals(Arrays.copyOfRange(datagram, 8, 20), response.transactionId());
            assertTrue(response.fingerprintVerifies());
        }
        return rejected.response();
    }

    static void assertNoSuccess(StunResult result) {
        if (result instanceof StunResult.Rejected rejected && rejected.response() != null) {
            assertNotEquals(BINDING_SUCCESS, DecodedStun.shortAt(rejected.response(), 0));
        }
        assertFalse(result instanceof StunResult.Accepted);
    }

    /** A request built with ice4j the way its full agent builds connectivity checks. */
    static byte[] ice4jRequest(String username, String password, long priority, boolean controlling,
                               boolean useCandidate) throws Exception {
        Request request = MessageFactory.createBindingRequest(priority, controlling, 0x1122334455667788L);
        request.setTransactionID(TRANSACTION_ID);
        request.putAttribute(AttributeFactory.createUsernameAttribute(username));
        if (useCandidate) {
            request.putAttribute(AttributeFactory.createUseCandidateAttribute());
        }
        request.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
        request.putAttribute(AttributeFactory.createFingerprintAttribute());
        return request.encode(stackKnowing(password));
    }

    /** ice4j's own check of a response's MESSAGE-INTEGRITY, as the browser side would run it. */
    static boolean ice4jVerifiesIntegrity(Message decoded, byte[] raw, String password) {
        MessageIntegrityAttribute integrity =
                (MessageIntegrityAttribute) decoded.getAttribute(Attribute.MESSAGE_INTEGRITY);
        assertNotNull(integrity, "response carries MESSAGE-INTEGRITY");
        TransportAddress any = new TransportAddress(FROM_V4, Transport.UDP);
        return stackKnowing(password).validateMessageIntegrity(
                integrity, USERNAME, true, RawMessage.build(raw, raw.length, any, any));
    }

    private static StunStack stackKnowing(String password) {
        StunStack stack = new StunStack();
        byte[] key = password.getBytes(StandardCharsets.UTF_8);
        stack.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
            @Override
            public byte[] getLocalKey(String username) {
                return key;
            }

            @Override
            public byte[] getRemoteKey(String username, String media) {
                return key;
            }

            @Override
            public boolean checkLocalUserName(String username) {
                return true;
            }
        });
        return stack;
    }

    private static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
