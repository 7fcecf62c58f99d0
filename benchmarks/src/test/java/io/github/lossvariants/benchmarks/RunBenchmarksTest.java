package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which rows the JMH table gets: each case once, in input order, the input's DL4J baseline first. */
class RunBenchmarksTest {
    static final LossRegistry REGISTRY = LossRegistry.discover();

    @Test
    void everyCaseOnceInInputOrderForAnyFilter() {
        for (String filter : List.of(".*", "focal", "softmax", "softmax-focal", "multiclass", "training-step", "dice")) {
            List<String> cases = RunBenchmarks.selectCases(Pattern.compile(filter), REGISTRY);
            assertEquals(cases.size(), new HashSet<>(cases).size(), filter + ": " + cases);
            List<String> all = BenchmarkCase.all();
            for (int i = 1; i < cases.size(); i++) {
                assertTrue(all.indexOf(cases.get(i - 1)) < all.indexOf(cases.get(i)), filter + ": order of " + cases);
            }
            for (String base : List.of("multilabel/dl4j-xent", "multiclass/dl4j-mcxent", "seg-sigmoid/dl4j-xent",
                    "seg-softmax/dl4j-xent")) {
                assertTrue(cases.contains(base), filter + ": baseline " + base + " missing from " + cases);
            }
        }
    }

    @Test
    void theFilterSelectsTheMatchingCases() {
        assertEquals(List.of("multilabel/dl4j-xent", "multiclass/dl4j-mcxent", "multiclass/softmax-focal",
                        "seg-sigmoid/dl4j-xent", "seg-softmax/dl4j-xent"),
                RunBenchmarks.selectCases(Pattern.compile("softmax-focal"), REGISTRY));
        assertEquals(BenchmarkCase.all(), RunBenchmarks.selectCases(Pattern.compile(".*"), REGISTRY),
                "every loss of the table is registered in this build");
    }
}
