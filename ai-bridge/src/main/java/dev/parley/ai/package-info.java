/**
 * Speech recognition, captions and emotion for meetings through NVIDIA Triton over the KServe v2 gRPC protocol.
 *
 * <p>{@link dev.parley.ai.AiBridge} is the entry point: {@code start(AiSettings, AiListener)}, then
 * {@code attach(room, meetingId)} per meeting (a track tap on the room, see {@link dev.parley.sfu.tap}), and the
 * one-shot {@code recognize}/{@code emotion} for uploaded audio (read with {@link dev.parley.ai.audio.AudioFile}).
 * Results reach the {@link dev.parley.ai.AiListener}; {@link dev.parley.ai.AiMetrics} holds the counters. The
 * KServe client classes in {@code dev.parley.ai.kserve} are generated at build time from the vendored
 * {@code grpc_predict_v2.proto}. docs/ai.md describes the settings, the tensor contract and the privacy notes.
 */
package dev.parley.ai;
