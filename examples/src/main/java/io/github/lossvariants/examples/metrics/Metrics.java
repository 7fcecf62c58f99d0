package io.github.lossvariants.examples.metrics;

import java.util.List;

/**
 * Every metric the benchmarks report, with its direction and format (see {@link Metric}). A new
 * metric goes here, once; a benchmark lists the ones it reports.
 *
 * <p>Calibration values (ECE, adaptive ECE) are x100, with 15 bins; NLL is the mean negative
 * log-likelihood per decision (per example, per (example, label) pair, or per pixel). The
 * {@code _ts} variants are measured after temperature scaling fitted on held-out data (each
 * benchmark's Javadoc says which); {@code temperature} is the fitted T.
 */
public final class Metrics {
    private Metrics() {
    }

    // ------------------------------------------------------------------ binary (imbalanced2d)

    /** Fraction of correct decisions at threshold 0.5. */
    public static final Metric ACCURACY = Metric.higherIsBetter("accuracy", "fraction of correct decisions at 0.5");
    /** Recall of the minority (positive) class at 0.5. */
    public static final Metric MINORITY_RECALL = Metric.higherIsBetter("minority_recall",
            "recall of the minority class at 0.5");
    /** Precision of the positive class at 0.5 (0 when nothing is predicted positive). */
    public static final Metric PRECISION = Metric.higherIsBetter("precision", "precision of the minority class at 0.5");
    /** F1 of the positive class at 0.5. */
    public static final Metric F1 = Metric.higherIsBetter("f1", "F1 of the minority class at 0.5");
    /** Average precision (PR-AUC), scikit-learn's definition. */
    public static final Metric PR_AUC = Metric.higherIsBetter("pr_auc", "average precision (area under the PR curve)");
    /** ROC-AUC, ties counted half. */
    public static final Metric ROC_AUC = Metric.higherIsBetter("roc_auc", "area under the ROC curve");
    /** Binary Brier score mean (p - y)^2. */
    public static final Metric BRIER = Metric.lowerIsBetter("brier", "binary Brier score, mean (p - y)^2");
    /** Number of test positives predicted positive at 0.5. */
    public static final Metric MINORITY_FOUND = Metric.higherIsBetter("minority_found",
            "test positives predicted positive at 0.5").withFormat("%.1f");
    /** Confusion counts at 0.5. */
    public static final Metric TP = Metric.higherIsBetter("tp", "true positives at 0.5").withFormat("%.1f");
    /** False positives at 0.5. */
    public static final Metric FP = Metric.lowerIsBetter("fp", "false positives at 0.5").withFormat("%.1f");
    /** False negatives at 0.5. */
    public static final Metric FN = Metric.lowerIsBetter("fn", "false negatives at 0.5").withFormat("%.1f");
    /** True negatives at 0.5. */
    public static final Metric TN = Metric.higherIsBetter("tn", "true negatives at 0.5").withFormat("%.1f");

    // ------------------------------------------------------------------ multi-label (yeast, multimnist)

    /** Fraction of wrong (example, label) decisions at 0.5. */
    public static final Metric HAMMING_LOSS = Metric.lowerIsBetter("hamming_loss",
            "fraction of wrong (example, label) decisions at 0.5");
    /** F1 of the pooled counts. */
    public static final Metric MICRO_F1 = Metric.higherIsBetter("micro_f1", "F1 of the pooled counts at 0.5");
    /** Mean per-label F1. */
    public static final Metric MACRO_F1 = Metric.higherIsBetter("macro_f1", "mean per-label F1 at 0.5");
    /** Mean average precision over labels with a positive. */
    public static final Metric MACRO_MAP = Metric.higherIsBetter("macro_map",
            "mean over labels (with a positive) of the label's average precision");
    /** scikit-learn's label_ranking_average_precision_score. */
    public static final Metric RANKING_AP = Metric.higherIsBetter("ranking_ap", "label ranking average precision");
    /** Fraction of examples whose top-scored label is irrelevant. */
    public static final Metric ONE_ERROR = Metric.lowerIsBetter("one_error",
            "fraction of examples whose top-scored label is wrong");
    /** scikit-learn's coverage_error (1-based). */
    public static final Metric COVERAGE = Metric.lowerIsBetter("coverage",
            "labels to go down the ranking to cover every relevant one (coverage_error, 1-based)");
    /** scikit-learn's label_ranking_loss. */
    public static final Metric RANKING_LOSS = Metric.lowerIsBetter("ranking_loss",
            "fraction of (relevant, irrelevant) label pairs ordered wrongly");

    // ------------------------------------------------------------------ segmentation (m2nist)

    /** Mean over the digit classes of the pooled Dice. */
    public static final Metric MEAN_FG_DICE = Metric.higherIsBetter("mean_fg_dice",
            "mean over the digit classes of Dice pooled over the test pixels (argmax)");
    /** Dice of the worst digit class. */
    public static final Metric WORST_FG_DICE = Metric.higherIsBetter("worst_fg_dice", "Dice of the worst digit class");
    /** Mean over the digit classes of the pooled IoU. */
    public static final Metric MEAN_FG_IOU = Metric.higherIsBetter("mean_fg_iou",
            "mean over the digit classes of IoU pooled over the test pixels");
    /** Fraction of correctly classified pixels (background included). */
    public static final Metric PIXEL_ACCURACY = Metric.higherIsBetter("pixel_accuracy",
            "fraction of correctly classified pixels");
    /** Average precision of 1 - p(background) for foreground vs background. */
    public static final Metric FG_AP = Metric.higherIsBetter("fg_ap",
            "average precision of 1 - p(background), foreground vs background, every 7th test pixel");

    // ------------------------------------------------------------------ long-tailed classification (mnist-lt)

    /** Top-1 accuracy in %, on a balanced test set. */
    public static final Metric TOP1 = Metric.higherIsBetter("top1", "top-1 accuracy in % (argmax)").withFormat("%.2f");
    /** Mean recall in % of the many-shot classes. */
    public static final Metric MANY_SHOT = Metric.higherIsBetter("many_shot",
            "mean of the class recalls in % of the many-shot classes (mnist-lt: 0-2)").withFormat("%.2f");
    /** Mean recall in % of the medium-shot classes. */
    public static final Metric MEDIUM_SHOT = Metric.higherIsBetter("medium_shot",
            "mean of the class recalls in % of the medium-shot classes (mnist-lt: 3-6)").withFormat("%.2f");
    /** Mean recall in % of the few-shot classes. */
    public static final Metric FEW_SHOT = Metric.higherIsBetter("few_shot",
            "mean of the class recalls in % of the few-shot classes (mnist-lt: 7-9)").withFormat("%.2f");
    /** Mean over classes of the per-class F1 of the argmax decision. */
    public static final Metric CLASS_MACRO_F1 = Metric.higherIsBetter("class_macro_f1",
            "mean over the classes of the per-class F1 of the argmax decision");

    // ------------------------------------------------------------------ calibration

    /** ECE x100 of the benchmark's decisions (binary: top label; multi-label: per label, macro). */
    public static final Metric ECE = Metric.lowerIsBetter("ece", "expected calibration error x100, 15 equal-width bins")
            .withFormat("%.2f");
    /** Adaptive ECE x100 (15 equal-mass bins). */
    public static final Metric ADA_ECE = Metric.lowerIsBetter("ada_ece", "adaptive ECE x100, 15 equal-mass bins")
            .withFormat("%.2f");
    /** Mean negative log-likelihood. */
    public static final Metric NLL = Metric.lowerIsBetter("nll", "mean negative log-likelihood");
    /** The temperature fitted on held-out data. */
    public static final Metric TEMPERATURE = new Metric("temperature", Metric.Direction.NONE, "%.3f",
            "temperature T fitted on held-out data (T > 1: the raw outputs were over-confident)");
    /** ECE x100 after temperature scaling. */
    public static final Metric ECE_TS = Metric.lowerIsBetter("ece_ts", "ECE x100 after temperature scaling")
            .withFormat("%.2f");
    /** Adaptive ECE x100 after temperature scaling. */
    public static final Metric ADA_ECE_TS = Metric.lowerIsBetter("ada_ece_ts",
            "adaptive ECE x100 after temperature scaling").withFormat("%.2f");
    /** NLL after temperature scaling. */
    public static final Metric NLL_TS = Metric.lowerIsBetter("nll_ts", "NLL after temperature scaling");

    /** Top-label ECE x100 over all test pixels. */
    public static final Metric PIXEL_ECE = Metric.lowerIsBetter("pixel_ece",
            "top-label ECE x100 over all test pixels, 15 equal-width bins").withFormat("%.2f");
    /** Top-label adaptive ECE x100 over all test pixels. */
    public static final Metric PIXEL_ADA_ECE = Metric.lowerIsBetter("pixel_ada_ece",
            "top-label adaptive ECE x100 over all test pixels, 15 equal-mass bins").withFormat("%.2f");
    /** Mean per-pixel negative log-likelihood. */
    public static final Metric PIXEL_NLL = Metric.lowerIsBetter("pixel_nll", "mean per-pixel negative log-likelihood");
    /** Pixel ECE x100 after temperature scaling. */
    public static final Metric PIXEL_ECE_TS = Metric.lowerIsBetter("pixel_ece_ts",
            "pixel ECE x100 after temperature scaling").withFormat("%.2f");
    /** Pixel adaptive ECE x100 after temperature scaling. */
    public static final Metric PIXEL_ADA_ECE_TS = Metric.lowerIsBetter("pixel_ada_ece_ts",
            "pixel adaptive ECE x100 after temperature scaling").withFormat("%.2f");
    /** Pixel NLL after temperature scaling. */
    public static final Metric PIXEL_NLL_TS = Metric.lowerIsBetter("pixel_nll_ts",
            "mean per-pixel NLL after temperature scaling");

    /** The calibration table of the binary and multi-label benchmarks: raw, the fitted T, after scaling. */
    public static final List<Metric> CALIBRATION = List.of(ECE, ADA_ECE, NLL, TEMPERATURE, ECE_TS, ADA_ECE_TS, NLL_TS);
    /** The calibration table of the segmentation benchmark, per pixel. */
    public static final List<Metric> PIXEL_CALIBRATION = List.of(PIXEL_ECE, PIXEL_ADA_ECE, PIXEL_NLL, TEMPERATURE,
            PIXEL_ECE_TS, PIXEL_ADA_ECE_TS, PIXEL_NLL_TS);

    // ------------------------------------------------------------------ per label / per class

    /** @return the ECE x100 of one label column (1-based label number, as in the reports) */
    public static Metric labelEce(int label) {
        return Metric.lowerIsBetter("ece_label" + label, "ECE x100 of label " + label).withFormat("%.2f");
    }

    /** @return the recall in % of one class (0-based class index) */
    public static Metric classRecall(int c) {
        return Metric.higherIsBetter("recall_class" + c, "recall in % of class " + c).withFormat("%.2f");
    }

    /** @return the Dice of one digit class (0-9) */
    public static Metric digitDice(int digit) {
        return Metric.higherIsBetter("dice_digit" + digit, "Dice of digit " + digit);
    }
}
