package io.github.lossvariants.examples.cli;

import com.google.inject.Inject;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.conformance.ConformanceReport;
import io.github.lossvariants.conformance.ConformanceRunner;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code conformance}: checks every registered loss against the reference vectors (JSON cases from
 * torchvision, MONAI and the papers' code) and exits non-zero when a case fails.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Runs the conformance vectors against the registered losses; prints one line per case and the "
                + "summary line; exit code 1 when any case fails.")
public final class ConformanceCommand implements Callable<Integer> {
    private final LossRegistry registry;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "folder of *.json cases (default: system property "
            + "conformance.dir, LOSS_CONFORMANCE_DIR, then ../shared/conformance)")
    Path dir;

    @Inject
    ConformanceCommand(LossRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path d = dir != null ? dir : ConformanceRunner.defaultDirectory();
        if (!Files.isDirectory(d)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Conformance folder not found: " + d.toAbsolutePath()
                    + ". Pass --dir DIR.");
        }
        out.println(BackendInfo.describe());
        DataType before = Nd4j.dataType();
        ConformanceReport report = new ConformanceRunner(registry).run(d);
        Nd4j.setDefaultDataTypes(before, before);
        report.lines().forEach(out::println);
        out.println(report.summaryLine());
        out.flush();
        return report.allPassed() ? 0 : 1;
    }
}
