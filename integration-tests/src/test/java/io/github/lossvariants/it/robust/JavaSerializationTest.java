package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java serialization, the way Spark ships a network configuration (and with it the loss) to its
 * executors for training: every registered loss, with {@value #CASES} sets of random valid
 * parameters drawn from its provider's {@code ParameterSchema} (so losses added later are covered
 * without a change here), and random weighted sums of two losses, come back from an
 * {@code ObjectOutputStream} round trip as an equal loss with equal parameters and the same spec,
 * and compute bit-identical score, per-example scores and gradient on a random input.
 */
class JavaSerializationTest {
    static final int CASES = Integer.getInteger("robust.javaSerializationCases", 4);
    static final int COMPOUND_CASES = Integer.getInteger("robust.javaSerializationCompounds", 8);

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @TestFactory
    Stream<DynamicTest> everyLossWithRandomParametersRoundTripsAndComputesTheSame() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            for (int i = 0; i < CASES; i++) {
                Random rng = Generators.rng(l.name, "java-serialization", i);
                Generators.Case c = Generators.input(REGISTRY, l, l.name + " java serialization case " + i, rng, DataType.DOUBLE);
                assertRoundTrip(c.loss, c);
            }
        }));
    }

    @Test
    void weightedSumsOfTwoRandomLossesRoundTripAndComputeTheSame() throws Exception {
        List<LossUnderTest> all = LossUnderTest.all();
        for (int i = 0; i < COMPOUND_CASES; i++) {
            Random rng = Generators.rng("compound", "java-serialization", i);
            Activation act = rng.nextBoolean() ? Activation.SIGMOID : Activation.SOFTMAX;
            List<LossUnderTest> usable = new ArrayList<>();
            for (LossUnderTest l : all) {
                // any width from 2 up, so that two random losses agree on one; soft labels, which the
                // first loss's generator may draw
                if (l.activations.contains(act) && l.settings.widths.get(act).length >= LossSettings.MAX_WIDTH - 1
                        && l.settings.softLabels && l.settings.fractionalMasks) {
                    usable.add(l);
                }
            }
            LossUnderTest first = usable.get(rng.nextInt(usable.size()));
            LossUnderTest second = usable.get(rng.nextInt(usable.size()));
            // the inputs (and their width) come from the first loss's generator, forced to this activation
            Generators.Case c;
            do {
                c = Generators.input(REGISTRY, first, "compound case " + i, rng, DataType.DOUBLE);
            } while (c.activation != act);
            LossFunction other = Generators.drawLoss(REGISTRY, second, act, c.nOut, rng).loss;
            double w1 = 0.1 + rng.nextDouble();
            double w2 = 0.1 + rng.nextDouble();
            // through the registry's spec grammar, as a user writes it
            LossFunction compound = REGISTRY.create(w1 + "*" + c.loss.spec() + " + " + w2 + "*" + other.spec());
            assertTrue(compound instanceof CompoundLoss, compound.spec());
            if (c.rowsPerExample > 1) {
                compound = ((RowGroupedLoss) compound).withRowsPerExample(c.rowsPerExample);
            }
            assertRoundTrip(compound, c);
        }
    }

    private static void assertRoundTrip(LossFunction loss, Generators.Case c) throws Exception {
        String where = c + ", loss " + loss.spec();
        LossFunction back = roundTrip(loss);
        assertNotSame(loss, back, where);
        assertEquals(loss.getClass(), back.getClass(), where);
        assertEquals(loss, back, where + ": not equal after Java serialization");
        assertEquals(loss.hashCode(), back.hashCode(), where + ": hashCode after Java serialization");
        assertEquals(loss.parameters(), back.parameters(), where + ": parameters after Java serialization");
        assertEquals(loss.spec(), back.spec(), where + ": spec after Java serialization");
        if (loss instanceof RowGroupedLoss) {
            assertTrue(back instanceof RowGroupedLoss, where);
            assertEquals(((RowGroupedLoss) loss).rowsPerExample(), ((RowGroupedLoss) back).rowsPerExample(), where);
        }
        ConcurrencyAndSerializationTest.Result expected = ConcurrencyAndSerializationTest.Result.of(loss, c);
        ConcurrencyAndSerializationTest.Result got = ConcurrencyAndSerializationTest.Result.of(back, c);
        expected.assertSame(got, where + " (deserialized copy vs original)");
    }

    static LossFunction roundTrip(LossFunction loss) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(loss);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (LossFunction) in.readObject();
        }
    }
}
