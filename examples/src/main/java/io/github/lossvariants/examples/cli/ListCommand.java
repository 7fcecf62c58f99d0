package io.github.lossvariants.examples.cli;

import com.google.inject.Inject;
import io.github.lossvariants.api.LossRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code list}: the registered losses with their parameters. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Prints the registered losses and their parameters.")
public final class ListCommand implements Callable<Integer> {
    private final LossRegistry registry;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Inject
    ListCommand(LossRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (registry.names().isEmpty()) {
            out.println("No losses registered: no loss module is on the class path.");
        } else {
            out.println(registry.names().size() + " registered losses:");
            out.println();
            out.print(registry.describe());
        }
        for (String f : registry.loadFailures()) {
            out.println("failed to load: " + f);
        }
        out.println("Spec strings: name(param=value, ...), weighted sums such as 'ce + dice' or '0.7*focal-tversky(gamma=4/3) + 0.3*ce'.");
        out.flush();
        return 0;
    }
}
