package io.github.lossvariants.it.robust;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented switch {@code -Dlossvariants.checkInputs=false} (read once, when LossInputs is
 * loaded, hence a separate JVM): it skips only the value checks (NaN/infinite logits, labels
 * outside [0, 1]) -- a NaN logit then gives a NaN score, the user's explicit choice -- and keeps
 * the shape checks.
 */
class CheckInputsOptionTest {
    @Test
    void switchingTheValueChecksOffSkipsThemButKeepsShapeChecks() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-Dlossvariants.checkInputs=false", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), CheckInputsOffMain.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "subprocess timed out: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("RESULT score=NaN shape=LossConfigurationException"), out);
    }
}
