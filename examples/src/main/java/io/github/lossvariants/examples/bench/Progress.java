package io.github.lossvariants.examples.bench;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.temporal.ChronoUnit;

/**
 * Progress of one training cell: a progress bar with ETA, or nothing. Bars redraw in place, which
 * only works on a terminal: {@link #onTerminal()} tells whether to draw them (redirected to a file
 * they would write every frame as a line).
 */
public interface Progress extends AutoCloseable {

    /** @return true when the program runs attached to an interactive terminal ({@code System.console() != null}) */
    static boolean onTerminal() {
        return System.console() != null;
    }

    /** @param extra a short status (e.g. the last loss value) */
    void step(String extra);

    @Override
    void close();

    /**
     * @return a progress bar with rate and ETA, redrawn in place on {@code System.err} (one bar at a time: a
     * carriage return before each frame)
     */
    static Progress bar(String task, long total) {
        ProgressBar pb = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 120))
                .setSpeedUnit(ChronoUnit.SECONDS).showSpeed().continuousUpdate().build();
        return new Progress() {
            @Override
            public void step(String extra) {
                pb.step();
                if (extra != null) {
                    pb.setExtraMessage(" " + extra);
                }
            }

            @Override
            public void close() {
                pb.close();
            }
        };
    }

    /** @return a progress that shows nothing */
    static Progress none() {
        return new Progress() {
            @Override
            public void step(String extra) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** Creates the progress of one cell. */
    interface Factory {
        Progress create(String task, long total);
    }
}
