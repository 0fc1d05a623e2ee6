package dev.parley.ai.audio;

import dev.parley.ai.audio.AudioFileException.Reason;

/** An uploaded audio file, WAV or Ogg/Opus, recognised by its first bytes. */
public final class AudioFile {
    private AudioFile() {}

    /**
     * Decodes a WAV or Ogg/Opus file to 16 kHz mono.
     *
     * @throws AudioFileException when it is neither, or is broken, too large, in an unsupported format or silent
     */
    public static Pcm16k read(byte[] file, AudioLimits limits) throws AudioFileException {
        if (file.length > limits.maxBytes()) {
            throw new AudioFileException(Reason.TOO_LARGE, "the file has " + file.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        if (startsWith(file, "RIFF") || startsWith(file, "RIFX") || startsWith(file, "RF64")) {
            return WavReader.read(file, limits);
        }
        if (startsWith(file, "OggS")) {
            return OggOpusReader.read(file, limits);
        }
        if (file.length == 0) {
            throw new AudioFileException(Reason.NOT_AUDIO, "the file is empty");
        }
        throw new AudioFileException(Reason.NOT_AUDIO, "not a WAV or Ogg/Opus file");
    }

    private static boolean startsWith(byte[] b, String magic) {
        if (b.length < magic.length()) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if (b[i] != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
