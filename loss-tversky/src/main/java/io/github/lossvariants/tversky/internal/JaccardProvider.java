package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.JaccardLoss;

/** Provider of {@code jaccard} ({@link JaccardLoss}). Internal: not for public use. */
public final class JaccardProvider extends SimpleLossProvider {
    /** Registers {@link JaccardLoss}. */
    public JaccardProvider() {
        super(JaccardLoss.NAME, "Soft Jaccard (IoU) loss 1 - (2I+s)/(2U+s) per (image, class), mean over classes"
                + " (MONAI DiceLoss(jaccard=True))", JaccardLoss.SCHEMA, JaccardLoss::new);
    }
}
