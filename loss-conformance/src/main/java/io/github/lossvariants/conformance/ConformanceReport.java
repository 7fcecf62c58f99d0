package io.github.lossvariants.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The results of a conformance run, in case order.
 *
 * @since 0.1.0
 */
public final class ConformanceReport {
    private final List<CaseResult> results;

    /** @param results the per-case results, in order */
    public ConformanceReport(List<CaseResult> results) {
        this.results = List.copyOf(results);
    }

    /** @return the per-case results, in order; unmodifiable */
    public List<CaseResult> results() {
        return results;
    }

    /** @return the number of passed cases */
    public int passed() {
        return (int) results.stream().filter(CaseResult::passed).count();
    }

    /** @return the number of failed cases */
    public int failed() {
        return results.size() - passed();
    }

    /** @return true when there is no failed case (also true for an empty report: check {@link #results()}) */
    public boolean allPassed() {
        return failed() == 0;
    }

    /** @return one line per case: {@code PASS id (loss)} or {@code FAIL id (loss): message} */
    public List<String> lines() {
        List<String> l = new ArrayList<>(results.size());
        for (CaseResult r : results) {
            l.add(r.line());
        }
        return l;
    }

    /** @return exactly {@code conformance: N passed, M failed} */
    public String summaryLine() {
        return "conformance: " + passed() + " passed, " + failed() + " failed";
    }

    @Override
    public String toString() {
        return String.join("\n", lines()) + "\n" + summaryLine();
    }
}
