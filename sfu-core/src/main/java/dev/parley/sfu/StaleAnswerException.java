package dev.parley.sfu;

/** An answer to a subscriber offer that has since been replaced by a newer one. */
public final class StaleAnswerException extends Exception {
    public StaleAnswerException(int answered, int current) {
        super("the answer is for offer version " + answered + " but the current offer is " + current);
    }
}
