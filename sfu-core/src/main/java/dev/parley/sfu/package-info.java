/** Parley's media server as a library: transports, RTP/RTCP, rooms and forwarding. No HTTP, SQL or JSON here. */
package dev.parley.sfu;
