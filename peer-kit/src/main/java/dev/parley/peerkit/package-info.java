/**
 * The browser's side of Parley's media transport for tests and the load tool: {@link
 * dev.parley.peerkit.StunMessage} writes ICE connectivity checks (and malformed ones), {@link
 * dev.parley.peerkit.DtlsSrtpClient} runs the DTLS-SRTP client handshake with a {@link
 * dev.parley.peerkit.PeerCertificate}. Nothing here uses Parley's server code.
 */
package dev.parley.peerkit;
