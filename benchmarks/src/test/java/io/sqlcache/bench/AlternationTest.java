package io.sqlcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-process tools' harness: who runs when, what is counted, what the ratios divide. No service needed. */
class AlternationTest {

    @Test
    void eachRoundRunsEveryVariantOnceInAnOrderRotatedByOne() throws Exception {
        List<String> calls = new ArrayList<>();
        new Alternation(3, 4, 1_000, 1).run((v, round, nanos) -> {
            calls.add(round + ":" + v);
            return new double[] {1};
        });
        assertThat(calls).containsExactly("0:0", "0:1", "0:2", "1:1", "1:2", "1:0", "2:2", "2:0", "2:1", "3:0", "3:1", "3:2");
    }

    @Test
    void theWarmUpRoundIsLongerAndNotCounted() throws Exception {
        List<Long> lengths = new ArrayList<>();
        Alternation.Result r = new Alternation(2, 3, 1_000, 3).run((v, round, nanos) -> {
            lengths.add(nanos);
            // the warm-up round's numbers would swamp every total if they were counted
            return new double[] {round == 0 ? 1e9 : 10 * round + v};
        });
        assertThat(lengths).containsExactly(3_000L, 3_000L, 1_000L, 1_000L, 1_000L, 1_000L);
        assertThat(r.rounds(0)).isEqualTo(2);
        assertThat(r.total(0, 0)).isEqualTo(10 + 20);
        assertThat(r.total(1, 0)).isEqualTo(11 + 21);
        assertThat(r.mean(1, 0)).isEqualTo(16);
    }

    @Test
    void aRatioDividesTotalsSoABusySliceWeighsMoreThanAnIdleOne() throws Exception {
        // variant 0: 100 µs for 10 ops, then 900 µs for 10 ops: 50 µs per op over both slices
        // (a mean of the per-slice costs would say 50 too, so the second variant makes the difference);
        // variant 1: 100 µs for 1 op, then 300 µs for 99 ops: 4 µs per op, not (100 + 3.03) / 2
        double[][][] slices = {
            {{0, 1}, {100, 10}, {900, 10}},
            {{0, 1}, {100, 1}, {300, 99}},
        };
        Alternation.Result r = new Alternation(2, 3, 1_000, 1).run((v, round, nanos) -> slices[v][round]);
        assertThat(r.per(0, 0, 1)).isEqualTo(50);
        assertThat(r.per(1, 0, 1)).isEqualTo(4);
        assertThat(r.ratio(0, 1, 0, 1)).isEqualTo(12.5);
        assertThat(r.ratio(1, 0, 0, 1)).isEqualTo(0.08);
    }

    @Test
    void theMedianIsOverCountedRoundsOddOrEven() throws Exception {
        double[] odd = {99, 5, 1, 3};
        Alternation.Result r3 = new Alternation(1, 4, 1_000, 1).run((v, round, nanos) -> new double[] {odd[round]});
        assertThat(r3.median(0, 0)).isEqualTo(3);
        double[] even = {99, 7, 1, 4, 100};
        Alternation.Result r4 = new Alternation(1, 5, 1_000, 1).run((v, round, nanos) -> new double[] {even[round]});
        assertThat(r4.median(0, 0)).isEqualTo(5.5);
    }

    @Test
    void theArgumentsAreSecondsAndRoundsWithAtLeastOneCountedRound() {
        Alternation a = Alternation.fromArgs(2, new String[] {"3", "7"}, 1, 2);
        assertThat(a.sliceNanos()).isEqualTo(3_000_000_000L);
        assertThat(a.rounds()).isEqualTo(7);
        Alternation defaults = Alternation.fromArgs(2, new String[0], 2, 5);
        assertThat(defaults.sliceNanos()).isEqualTo(2_000_000_000L);
        assertThat(defaults.rounds()).isEqualTo(5);
        assertThat(defaults.describe()).isEqualTo("4 rounds of 2 s slices, order rotated, first not counted");
        assertThatThrownBy(() -> Alternation.fromArgs(2, new String[] {"1", "1"}, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warm-up");
        assertThat(Alternation.ratioLine("hit 1M", "hit 1k", 1.0184, 3)).isEqualTo("hit 1M / hit 1k: 1.018");
    }

    @Test
    void aSliceMustMeasureAsManyQuantitiesEveryRound() {
        assertThatThrownBy(() -> new Alternation(1, 3, 1_000, 1).run((v, round, nanos) -> new double[round]))
                .isInstanceOf(IllegalStateException.class);
    }
}
