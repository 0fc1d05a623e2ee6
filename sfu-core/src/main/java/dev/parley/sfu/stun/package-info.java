/**
 * ICE-lite STUN: answers the Binding requests browsers send to the SFU's media port.
 *
 * <p>The server is always the controlled, lite side: it never sends checks, it only authenticates
 * and answers. {@link dev.parley.sfu.stun.StunBindingResponder} is the entry point;
 * {@link dev.parley.sfu.stun.StunBindingResponder#looksLikeStun} is the demultiplexer's cheap test.
 *
 * <p>Requests are read by this package's own bounds-checked walk over the datagram rather than by
 * ice4j's {@code Message.decode}: that decoder only works at array offset 0, keeps the last of
 * duplicate attributes, and reports bad input with assorted runtime exceptions, while the
 * security checks (FINGERPRINT, MESSAGE-INTEGRITY) have to run over the raw bytes anyway.
 * Responses are built from ice4j's attribute classes (XOR-MAPPED-ADDRESS, ERROR-CODE,
 * UNKNOWN-ATTRIBUTES) and sealed here with MESSAGE-INTEGRITY and FINGERPRINT, which needs no
 * ice4j {@code StunStack} and keeps ice4j's SOFTWARE default out of our packets.
 */
package dev.parley.sfu.stun;
