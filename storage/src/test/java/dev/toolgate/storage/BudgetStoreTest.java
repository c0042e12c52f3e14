package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.toolgate.storage.BudgetStore.Charge;
import dev.toolgate.storage.BudgetStore.Overrun;
import dev.toolgate.storage.BudgetStore.Usage;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Budget totals as several instances on one database see them (two Storage objects stand for two
 * instances): concurrent spends never take a total past its max, the window slides, nothing is
 * spent of a call that does not fit. Runs on H2 and, in the second test run, on PostgreSQL.
 */
class BudgetStoreTest {
    private static final Duration DAY = Duration.ofHours(24);
    private static final BigDecimal MAX = new BigDecimal("5000");

    private final MutableClock clock = new MutableClock(TestData.NOW);
    private Storage a;
    private Storage b;

    @BeforeEach
    void open() {
        String url = TestData.memUrl();
        a = JdbiStorage.open(StorageSettings.of(url), clock);
        b = JdbiStorage.open(StorageSettings.of(url), clock);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static Charge refund(String agent, String amount) {
        return new Charge("acme", "refund-budget", "agent:" + agent, new BigDecimal(amount), MAX, DAY, false);
    }

    @Test
    void fiftyConcurrentSpendsOnTwoInstancesNeverPassTheMax() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<Overrun>>> spends = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Storage instance = i % 2 == 0 ? a : b;
                String decision = "decision-" + i;
                spends.add(threads.submit(() -> {
                    start.await();
                    return instance.budgets().spend(List.of(refund("bot", "300")), decision, clock.instant());
                }));
            }
            start.countDown();
            int spent = 0;
            for (Future<Optional<Overrun>> spend : spends) {
                if (spend.get(30, TimeUnit.SECONDS).isEmpty()) {
                    spent++;
                }
            }
            assertThat(spent).as("5000 / 300 = 16 spends fit").isEqualTo(16);
            assertThat(a.budgets().usage("acme", "refund-budget", DAY, clock.instant()))
                    .singleElement().satisfies(usage -> {
                        assertThat(usage.used()).isEqualByComparingTo("4800");
                        assertThat(usage.entries()).isEqualTo(16);
                    });
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSpendThatDoesNotFitIsRefusedWithTheTotalAndSpendsNothing() {
        for (int i = 0; i < 10; i++) {
            assertThat(a.budgets().spend(List.of(refund("bot", "500")), "d" + i, clock.instant())).isEmpty();
        }
        Optional<Overrun> eleventh = b.budgets().spend(List.of(refund("bot", "500")), "d10", clock.instant());

        assertThat(eleventh).hasValueSatisfying(overrun -> {
            assertThat(overrun.used()).isEqualByComparingTo("5000");
            assertThat(overrun.charge().ruleId()).isEqualTo("refund-budget");
        });
        assertThat(a.budgets().spend(List.of(refund("other-bot", "500")), "d11", clock.instant()))
                .as("another agent has a total of its own").isEmpty();
        assertThat(a.budgets().usage("acme", "refund-budget", DAY, clock.instant())).extracting(Usage::scopeKey, Usage::entries)
                .containsExactly(tuple("agent:bot", 10L),
                        tuple("agent:other-bot", 1L));
    }

    @Test
    void allChargesOfACallAreSpentOrNone() {
        Charge small = new Charge("acme", "daily-count", "workspace", BigDecimal.ONE, new BigDecimal("100"), DAY, false);
        assertThat(a.budgets().spend(List.of(refund("bot", "4900")), "d0", clock.instant())).isEmpty();

        Optional<Overrun> overrun = a.budgets().spend(List.of(small, refund("bot", "200")), "d1", clock.instant());

        assertThat(overrun).map(o -> o.charge().ruleId()).hasValue("refund-budget");
        assertThat(a.budgets().usage("acme", "daily-count", DAY, clock.instant())).as("the fitting charge was not spent").isEmpty();
    }

    @Test
    void theWindowSlidesAndAForcedSpendAlwaysCounts() {
        assertThat(a.budgets().spend(List.of(refund("bot", "3000")), "d0", clock.instant())).isEmpty();
        clock.advance(Duration.ofHours(12));
        assertThat(a.budgets().spend(List.of(refund("bot", "2000")), "d1", clock.instant())).isEmpty();
        assertThat(a.budgets().spend(List.of(refund("bot", "1")), "d2", clock.instant())).isPresent();

        clock.advance(Duration.ofHours(12));
        assertThat(a.budgets().usage("acme", "refund-budget", DAY, clock.instant())).singleElement().satisfies(usage -> {
            assertThat(usage.used()).as("the first spend left the window").isEqualByComparingTo("2000");
            assertThat(usage.oldestAt()).isEqualTo(TestData.NOW.plus(Duration.ofHours(12)));
        });
        assertThat(a.budgets().spend(List.of(refund("bot", "3000")), "d3", clock.instant())).isEmpty();

        Charge approved = new Charge("acme", "refund-budget", "agent:bot", new BigDecimal("700"), MAX, DAY, true);
        assertThat(a.budgets().spend(List.of(approved), "d4", clock.instant())).as("forced").isEmpty();
        assertThat(a.budgets().usage("acme", "refund-budget", DAY, clock.instant()))
                .singleElement().extracting(Usage::used).satisfies(used -> assertThat(used).isEqualByComparingTo("5700"));
    }
}
