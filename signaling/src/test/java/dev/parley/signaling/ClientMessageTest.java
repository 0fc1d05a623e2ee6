package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.sfu.TrackSource;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClientMessageTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void decodesEachMessageOfTheProtocol() throws Exception {
        assertEquals(new ClientMessage.Join("standup", "Ada", null),
                ClientMessage.decode(json, "{\"type\":\"join\",\"room\":\"standup\",\"name\":\" Ada \"}"));
        assertEquals(new ClientMessage.Join("r-1.x_y", "Bob", "tok"),
                ClientMessage.decode(json, "{\"type\":\"join\",\"room\":\"r-1.x_y\",\"name\":\"Bob\",\"token\":\"tok\"}"));
        assertEquals(new ClientMessage.Publish("v=0"), ClientMessage.decode(json, "{\"type\":\"publish\",\"sdp\":\"v=0\"}"));
        assertEquals(new ClientMessage.Publish("v=0", Map.of("2", TrackSource.SCREEN, "1", TrackSource.CAMERA)),
                ClientMessage.decode(json, "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"2\":\"screen\",\"1\":\"camera\"}}"));
        assertEquals(new ClientMessage.Publish("v=0"), ClientMessage.decode(json, "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":null}"));
        assertEquals(new ClientMessage.SubscriberAnswer("v=0", 3),
                ClientMessage.decode(json, "{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\",\"version\":3}"));
        assertEquals(new ClientMessage.Trickle("publisher"),
                ClientMessage.decode(json, "{\"type\":\"trickle\",\"target\":\"publisher\",\"candidate\":null}"));
        assertEquals(new ClientMessage.Mute("video", true),
                ClientMessage.decode(json, "{\"type\":\"mute\",\"kind\":\"video\",\"muted\":true}"));
        assertEquals(new ClientMessage.Chat("héllo 👋"), ClientMessage.decode(json, "{\"type\":\"chat\",\"text\":\"héllo 👋\"}"));
        assertInstanceOf(ClientMessage.Ping.class, ClientMessage.decode(json, "{\"type\":\"ping\"}"));
        assertInstanceOf(ClientMessage.Leave.class, ClientMessage.decode(json, "{\"type\":\"leave\"}"));
        assertEquals(new ClientMessage.SetCaptions(true), ClientMessage.decode(json, "{\"type\":\"setCaptions\",\"on\":true}"));
        assertEquals(new ClientMessage.SetCaptions(false), ClientMessage.decode(json, "{\"type\":\"setCaptions\",\"on\":false}"));
        assertEquals(new ClientMessage.Resume("tok_EN-1"), ClientMessage.decode(json, "{\"type\":\"resume\",\"token\":\"tok_EN-1\"}"));
        assertInstanceOf(ClientMessage.RestartIce.class, ClientMessage.decode(json, "{\"type\":\"restartIce\"}"));
        assertEquals(new ClientMessage.SetVideoSize("p1", 640, 360),
                ClientMessage.decode(json, "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":640,\"height\":360}"));
        assertEquals(new ClientMessage.SetVideoSize("p1", 0, 0),
                ClientMessage.decode(json, "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":0,\"height\":0}"));
    }

    @Test
    void refusesBadMessagesWithTheProtocolsErrorCodes() {
        assertCode("bad_message", null, "not json");
        assertCode("bad_message", null, "[1,2]");
        assertCode("bad_message", null, "{\"room\":\"x\"}");
        assertCode("bad_message", null, "{\"type\":7}");
        assertCode("unknown_type", "dance", "{\"type\":\"dance\"}");
        assertCode("bad_message", "join", "{\"type\":\"join\",\"name\":\"Ada\"}");
        assertCode("bad_message", "join", "{\"type\":\"join\",\"room\":\"has space\",\"name\":\"Ada\"}");
        assertCode("bad_message", "join", "{\"type\":\"join\",\"room\":\"r\",\"name\":\"   \"}");
        assertCode("bad_message", "join", "{\"type\":\"join\",\"room\":\"r\",\"name\":\"" + "x".repeat(65) + "\"}");
        assertCode("bad_message", "join", "{\"type\":\"join\",\"room\":\"r\",\"name\":42}");
        assertCode("bad_message", "subscriberAnswer", "{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\",\"version\":\"3\"}");
        assertCode("bad_message", "subscriberAnswer", "{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\",\"version\":1.5}");
        assertCode("bad_message", "mute", "{\"type\":\"mute\",\"kind\":\"screen\",\"muted\":true}");
        assertCode("bad_message", "mute", "{\"type\":\"mute\",\"kind\":\"audio\",\"muted\":\"yes\"}");
        assertCode("bad_message", "chat", "{\"type\":\"chat\",\"text\":\"" + "x".repeat(2001) + "\"}");
        assertCode("bad_message", "trickle", "{\"type\":\"trickle\",\"target\":\"both\"}");
        assertCode("bad_message", "publish", "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":[\"screen\"]}");
        assertCode("bad_message", "publish", "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"1\":\"window\"}}");
        assertCode("bad_message", "publish", "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"1\":7}}");
        assertCode("bad_message", "publish", "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"bad mid\":\"screen\"}}");
        assertCode("bad_message", "publish", "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"\":\"screen\"}}");
        assertCode("bad_message", "setCaptions", "{\"type\":\"setCaptions\"}");
        assertCode("bad_message", "setCaptions", "{\"type\":\"setCaptions\",\"on\":\"true\"}");
        assertCode("bad_message", "setCaptions", "{\"type\":\"setCaptions\",\"on\":1}");
        assertCode("bad_message", "resume", "{\"type\":\"resume\"}");
        assertCode("bad_message", "resume", "{\"type\":\"resume\",\"token\":\"\"}");
        assertCode("bad_message", "resume", "{\"type\":\"resume\",\"token\":12}");
        assertCode("bad_message", "resume", "{\"type\":\"resume\",\"token\":\"" + "x".repeat(129) + "\"}");
        assertCode("bad_message", "setVideoSize", "{\"type\":\"setVideoSize\",\"width\":640,\"height\":360}");
        assertCode("bad_message", "setVideoSize", "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":-1,\"height\":360}");
        assertCode("bad_message", "setVideoSize", "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":640,\"height\":0}");
        assertCode("bad_message", "setVideoSize", "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":20000,\"height\":360}");
        assertCode("bad_message", "setVideoSize", "{\"type\":\"setVideoSize\",\"participantId\":\"p1\",\"width\":64.5,\"height\":360}");
    }

    @Test
    void fuzzedInputIsDecodedOrRefusedButNeverThrowsAnythingElse() {
        String[] seeds = {
            "{\"type\":\"join\",\"room\":\"standup\",\"name\":\"Ada\",\"token\":\"abc\"}",
            "{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\\r\\n\",\"version\":3}",
            "{\"type\":\"mute\",\"kind\":\"video\",\"muted\":true}",
            "{\"type\":\"setCaptions\",\"on\":true}",
            "{\"type\":\"publish\",\"sdp\":\"v=0\",\"sources\":{\"1\":\"screen\",\"0\":\"microphone\"}}",
            "{\"type\":\"resume\",\"token\":\"Qx9-_aZ0Qx9-_aZ0Qx9-_aZ0Qx9-_aZ0Qx9-_aZ0Qx9\"}",
        };
        SplittableRandom random = new SplittableRandom(20261123);
        for (int i = 0; i < 50_000; i++) {
            char[] c = seeds[random.nextInt(seeds.length)].toCharArray();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                c[random.nextInt(c.length)] = (char) random.nextInt(0x20, 0x7F);
            }
            String input = random.nextInt(10) == 0 ? new String(c, 0, random.nextInt(c.length)) : new String(c);
            try {
                ClientMessage.decode(json, input);
            } catch (ClientMessage.Invalid expected) {
                // refused with a code: fine
            } catch (RuntimeException e) {
                fail("decoding " + input + " threw " + e);
            }
        }
    }

    private void assertCode(String code, String requestType, String input) {
        ClientMessage.Invalid e = assertThrows(ClientMessage.Invalid.class, () -> ClientMessage.decode(json, input));
        assertEquals(code, e.code, input);
        assertEquals(requestType, e.requestType, input);
    }
}
