package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.sdp.Codec;
import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber's send pipeline on a real UDP socket with real SRTP: the transport-cc send time of a forwarded copy
 * is the arrival time the receive side read for its packet (the {@code now} handed in), and a retransmission's is
 * the arrival time of the NACK that asked for it: no clock read per copy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtpSendPipelineTest {
    private static final long MS = 1_000_000;
    private static final int PACKETS = 12;
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");

    @Test
    void aCopysTransportCcSendTimeIsTheArrivalTimeHandedIn() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (DatagramSocket subscriber = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            subscriber.setReceiveBufferSize(1 << 20);
            subscriber.setSoTimeout(10_000);
            EventLoop loop = group.next();
            Channel ch = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            MediaLoop media = new MediaLoop(0, loop, null, new MediaCounters());
            RtpSendPipeline pipeline = new RtpSendPipeline(media, 0x1111);
            byte[] exported = new byte[2 * (SrtpProfile.AEAD_AES_128_GCM.keyLength() + SrtpProfile.AEAD_AES_128_GCM.saltLength())];
            new Random(7).nextBytes(exported);
            pipeline.keys(new SrtpSession(SrtpKeyingMaterial.fromExporterOutput(SrtpProfile.AEAD_AES_128_GCM, exported)), 0);
            pipeline.path(new MediaPath.Udp(new MediaOutlet(ch), (InetSocketAddress) subscriber.getLocalSocketAddress()));
            PublishedStream stream = new PublishedStream(media, null,
                    new PublishedTrack("1", MediaKind.VIDEO, VP8, 96, 0x1234, true, 0, 0));
            Forward f = new Forward(null, pipeline, MediaKind.VIDEO, 90000, 0x5678, 96, 4000);
            byte[] published = new RtpPacketBuilder().ssrc(0x1234).payloadType(96)
                    .oneByte(TransportSequenceExtension.PARLEY_ID, 0, 0).payload(new byte[1000]).build();

            // Arrival times on a synthetic clock far from System.nanoTime(): a copy stamped with a clock read of
            // its own would not carry them.
            long first = 1_000_000 * MS;
            long[] stamped = loop.submit(() -> {
                PacketBuffer in = new PacketBuffer();
                long[] sent = new long[PACKETS + 1];
                for (int i = 0; i < PACKETS; i++) {
                    RtpHeader.setSequenceNumber(published, 0, 100 + i);
                    in.copyFrom(published, 0, published.length);
                    stream.keepForRetransmission(in, -1);
                    pipeline.send(f, in, -1, false, first + i * 8 * MS);
                }
                media.flush();
                // The subscriber NACKs its copy of the publisher's 103; the retransmission goes at the NACK's arrival.
                stream.retransmit(f, f.outgoingSequence(103), first + 500 * MS);
                media.flush();
                for (int seq = 0; seq <= PACKETS; seq++) {
                    sent[seq] = pipeline.transportCc().sentNanos(seq);
                }
                return sent;
            }).get();

            for (int i = 0; i < PACKETS; i++) {
                assertEquals(first + i * 8 * MS, stamped[i], "copy " + i + " was sent as of its packet's arrival");
            }
            assertEquals(first + 500 * MS, stamped[PACKETS], "the retransmission was sent as of its NACK's arrival");
            assertEquals(PACKETS + 1, f.packetsSent, "every copy and the retransmission went out");
            DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            for (int i = 0; i <= PACKETS; i++) {
                subscriber.receive(got); // and arrived
            }
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
