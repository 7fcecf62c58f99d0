package io.github.lossvariants.conformance;

/**
 * The outcome of one conformance case.
 *
 * @since 0.1.0
 */
public final class CaseResult {
    private final String id;
    private final String loss;
    private final boolean passed;
    private final String message;

    /**
     * @param id      the case id
     * @param loss    the case's loss name
     * @param passed  whether every compared value was within tolerance
     * @param message empty when passed; otherwise the first mismatch (field, index, expected,
     *                actual, dtype) or the error
     */
    public CaseResult(String id, String loss, boolean passed, String message) {
        this.id = id;
        this.loss = loss;
        this.passed = passed;
        this.message = message == null ? "" : message;
    }

    static CaseResult pass(ConformanceCase c) {
        return new CaseResult(c.id(), c.loss(), true, "");
    }

    static CaseResult fail(ConformanceCase c, String message) {
        return new CaseResult(c.id(), c.loss(), false, message);
    }

    /** @return the case id */
    public String id() {
        return id;
    }

    /** @return the loss name */
    public String loss() {
        return loss;
    }

    /** @return whether the case passed */
    public boolean passed() {
        return passed;
    }

    /** @return empty when passed, else the first mismatch or the error */
    public String message() {
        return message;
    }

    /** @return e.g. {@code PASS focal-sigmoid-default (focal)} or {@code FAIL x (tversky): gradient[17] ...} */
    public String line() {
        return passed ? "PASS " + id + " (" + loss + ")" : "FAIL " + id + " (" + loss + "): " + message;
    }

    @Override
    public String toString() {
        return line();
    }
}
