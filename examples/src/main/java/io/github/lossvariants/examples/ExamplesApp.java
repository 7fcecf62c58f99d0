package io.github.lossvariants.examples;

import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.github.lossvariants.examples.cli.CompareCommand;
import io.github.lossvariants.examples.cli.ConformanceCommand;
import io.github.lossvariants.examples.cli.ListCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the command-line app: {@code compare BENCHMARK}, {@code list},
 * {@code conformance}. Commands are created by Guice ({@link AppModule}), so they get the loss
 * registry and the benchmarks injected.
 */
@Command(name = "lossvariants", mixinStandardHelpOptions = true, version = "loss variants examples 0.1.0",
        description = "Trains identical DL4J networks with different losses on the same data and seeds, and reports "
                + "which loss wins and by how much.",
        subcommands = {CompareCommand.class, ListCommand.class, ConformanceCommand.class,
                CommandLine.HelpCommand.class})
public final class ExamplesApp implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the app and exits with its exit code. */
    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int code = execute(List.of(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /**
     * Runs one command.
     *
     * @param extraModules Guice modules added to {@link AppModule} (e.g. ones binding more loss providers)
     * @return the exit code: 0 success, 1 failure (e.g. a failed conformance case), 2 usage error
     */
    public static int execute(List<Module> extraModules, PrintWriter out, PrintWriter err, String... args) {
        List<Module> modules = new ArrayList<>();
        modules.add(new AppModule());
        modules.addAll(extraModules);
        Injector injector = Guice.createInjector(modules);
        CommandLine cl = new CommandLine(ExamplesApp.class, new GuiceFactory(injector));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + ex.getMessage());
            if (Boolean.getBoolean("lossvariants.stacktrace")) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Creates picocli's objects through Guice, falling back to picocli's own factory. */
    static final class GuiceFactory implements CommandLine.IFactory {
        private final Injector injector;

        GuiceFactory(Injector injector) {
            this.injector = injector;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls.getName().startsWith("io.github.lossvariants.")) {
                try {
                    return injector.getInstance(cls);
                } catch (ConfigurationException e) {
                    return CommandLine.defaultFactory().create(cls);
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
