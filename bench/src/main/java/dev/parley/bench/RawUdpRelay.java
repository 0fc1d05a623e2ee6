package dev.parley.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The baseline the SFU's forwarding is compared with, run as a process of its own so that it can be pinned to a
 * core and measured exactly like the server: one thread, one UDP socket, every datagram received is sent as it is
 * to every registered receiver, one {@code sendto} per copy. No SRTP, no parsing, no rewriting, no allocation per
 * packet: what any relay on this machine must pay at least.
 *
 * <p>Control datagrams (4 bytes, so never mistaken for RTP): {@code JOIN} registers the sender as a receiver
 * (answered with {@code OK}), {@code STAT} is answered with the number of copies sent so far (decimal ASCII).
 *
 * <p>{@code java -cp ... dev.parley.bench.RawUdpRelay PORT} (see {@code bench/forwarding.sh}).
 */
public final class RawUdpRelay {
    static final byte[] JOIN = "JOIN".getBytes(StandardCharsets.US_ASCII);
    static final byte[] STAT = "STAT".getBytes(StandardCharsets.US_ASCII);

    private RawUdpRelay() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RawUdpRelay PORT   (binds 127.0.0.1:PORT)");
            System.exit(2);
        }
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
            System.out.println("raw relay on " + channel.getLocalAddress());
            relay(channel);
        }
    }

    /** Relays on {@code channel} (blocking) until it is closed. */
    static void relay(DatagramChannel channel) throws IOException {
        try {
            relayUntilClosed(channel);
        } catch (java.nio.channels.ClosedChannelException closed) {
            // closed by its owner: done
        }
    }

    private static void relayUntilClosed(DatagramChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        SocketAddress[] targets = new SocketAddress[0];
        long copies = 0;
        while (true) {
            buf.clear();
            SocketAddress from = channel.receive(buf);
            buf.flip();
            if (buf.remaining() == 4) {
                if (matches(buf, JOIN)) {
                    if (!Arrays.asList(targets).contains(from)) {
                        targets = Arrays.copyOf(targets, targets.length + 1);
                        targets[targets.length - 1] = from;
                    }
                    channel.send(ByteBuffer.wrap("OK".getBytes(StandardCharsets.US_ASCII)), from);
                } else if (matches(buf, STAT)) {
                    channel.send(ByteBuffer.wrap(Long.toString(copies).getBytes(StandardCharsets.US_ASCII)), from);
                }
                continue;
            }
            for (SocketAddress target : targets) {
                buf.rewind();
                channel.send(buf, target);
            }
            copies += targets.length;
        }
    }

    private static boolean matches(ByteBuffer buf, byte[] word) {
        for (int i = 0; i < word.length; i++) {
            if (buf.get(buf.position() + i) != word[i]) {
                return false;
            }
        }
        return true;
    }
}
