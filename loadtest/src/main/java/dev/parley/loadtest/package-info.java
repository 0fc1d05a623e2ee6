/**
 * {@code parley-loadtest} ({@link dev.parley.loadtest.LoadTest}) and the synthetic WebRTC peer it is made of
 * ({@link dev.parley.loadtest.SyntheticPeer}, also used by bench and the server's tests).
 */
package dev.parley.loadtest;
