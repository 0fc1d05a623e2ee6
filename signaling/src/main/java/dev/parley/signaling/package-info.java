/** The WebSocket signaling protocol (docs/protocol.md). */
package dev.parley.signaling;
