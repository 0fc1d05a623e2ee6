package dev.parley.sfu.media;

import io.netty.channel.Channel;

/**
 * One socket media leaves by (the shared UDP port, a port of the range, or one ICE-TCP connection), with a
 * mark that it has unflushed writes: packets are written during a read batch and flushed once at its end.
 * Loop-confined.
 */
final class MediaOutlet {
    final Channel channel;
    boolean dirty;

    MediaOutlet(Channel channel) {
        this.channel = channel;
    }
}
