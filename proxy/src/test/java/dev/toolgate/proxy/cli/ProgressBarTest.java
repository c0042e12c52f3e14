package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The replay's progress bar: redrawn in place when its percentage moves, and cleared at the end. */
class ProgressBarTest {
    @Test
    void redrawsOnlyWhenThePercentageChangesThenClearsItsLine() {
        StringWriter terminal = new StringWriter();
        ProgressBar bar = ProgressBar.on(new PrintWriter(terminal), 2_000, "events");

        bar.advance(500);
        bar.advance(1);
        bar.advance(1_499);
        bar.finish();

        String[] draws = terminal.toString().split("\r", -1);
        assertThat(draws).containsExactly("",
                "[#######                       ] 25% 500/2,000 events",
                "[##############################] 100% 2,000/2,000 events",
                " ".repeat(56),
                "");
    }

    @Test
    void noBarPrintsNothing() {
        ProgressBar bar = ProgressBar.none();

        bar.advance(5_000);
        bar.finish();
    }
}
