package dev.parley.bench;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The baseline relay copies every datagram to every registered receiver and counts the copies. */
class RawUdpRelayTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void everyJoinedReceiverGetsEveryDatagramAndStatCountsTheCopies() throws Exception {
        try (DatagramChannel relay = DatagramChannel.open().bind(ANY);
             DatagramChannel a = DatagramChannel.open().bind(ANY);
             DatagramChannel b = DatagramChannel.open().bind(ANY);
             DatagramChannel source = DatagramChannel.open().bind(ANY)) {
            Thread thread = new Thread(() -> {
                try {
                    RawUdpRelay.relay(relay);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "raw-relay-under-test");
            thread.setDaemon(true);
            thread.start();
            SocketAddress to = relay.getLocalAddress();
            for (DatagramChannel receiver : new DatagramChannel[] {a, b}) {
                receiver.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
                receiver.send(ByteBuffer.wrap(RawUdpRelay.JOIN), to);
                assertEquals("OK", text(receive(receiver)));
            }

            byte[] rtp = new byte[40];
            Arrays.fill(rtp, (byte) 0x5A);
            rtp[0] = (byte) 0x80;
            source.send(ByteBuffer.wrap(rtp), to);
            assertArrayEquals(rtp, receive(a));
            assertArrayEquals(rtp, receive(b));

            source.send(ByteBuffer.wrap(RawUdpRelay.STAT), to);
            assertEquals("2", text(receive(source)));
        }
    }

    /** One datagram, waiting for it with a generous deadline (blocking receive on a socket with a timeout). */
    private static byte[] receive(DatagramChannel channel) throws Exception {
        channel.socket().setSoTimeout(10_000);
        java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
        channel.socket().receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
