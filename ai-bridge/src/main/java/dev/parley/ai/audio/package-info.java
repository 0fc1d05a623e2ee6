/**
 * Audio for speech models: 16 kHz mono PCM ({@link dev.parley.ai.audio.Pcm16k}), a polyphase
 * {@link dev.parley.ai.audio.Resampler}, a {@link dev.parley.ai.audio.VoiceActivityDetector} and the
 * {@link dev.parley.ai.audio.SpeechSegmenter} built on it, and the readers of uploaded files
 * ({@link dev.parley.ai.audio.AudioFile}: WAV and Ogg/Opus) that refuse bad input with an
 * {@link dev.parley.ai.audio.AudioFileException} naming the reason.
 */
package dev.parley.ai.audio;
