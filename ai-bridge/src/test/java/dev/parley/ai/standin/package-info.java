/**
 * {@link dev.parley.ai.standin.KserveStandIn}: a KServe v2 gRPC server for tests, published in ai-bridge's test-jar
 * for the server and browser tests (depend on {@code parley-ai-bridge} with {@code <type>test-jar</type>}).
 */
package dev.parley.ai.standin;
