/**
 * Helpers shared by the tests of Parley's modules (control-api, server, e2e), kept once here instead of
 * copied per module: {@link dev.parley.testkit.Eventually} polls a condition with a deadline,
 * {@link dev.parley.testkit.PostgresSchema} gives a test a fresh schema in the local PostgreSQL, and
 * {@link dev.parley.testkit.SignalingClient} speaks the signaling WebSocket without a browser (also over TLS),
 * {@link dev.parley.testkit.NginxGateway} runs a real nginx on the shipped nginx/ gateway configuration with a
 * {@link dev.parley.testkit.TestCertificate}.
 * The kit depends on no Parley module, so any module's tests can use it.
 */
package dev.parley.testkit;
