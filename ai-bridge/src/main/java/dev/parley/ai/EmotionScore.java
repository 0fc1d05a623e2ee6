package dev.parley.ai;

/** One emotion label and the model's score for it. */
public record EmotionScore(String label, double score) {}
