/** Taps audio for speech recognition and emotion through Triton (not built yet). */
package dev.parley.ai;
