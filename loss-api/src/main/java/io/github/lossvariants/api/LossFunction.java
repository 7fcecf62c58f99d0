package io.github.lossvariants.api;

import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;

/**
 * A loss usable anywhere DL4J takes an {@link ILossFunction} ({@code OutputLayer},
 * {@code LossLayer}, {@code CnnLossLayer}, {@code RnnOutputLayer}, {@code ComputationGraph}),
 * which also knows its registry name and complete parameter set.
 *
 * <p>Contract for every implementation:
 * <ul>
 *   <li>immutable and stateless: DL4J shares one instance between cloned networks and threads;</li>
 *   <li>never writes into {@code labels}, {@code preOutput} or {@code mask};</li>
 *   <li>{@code computeGradient} returns d(sum of per-row scores)/d(preOutput), un-averaged:
 *       DL4J divides by the minibatch size itself;</li>
 *   <li>round-trips through DL4J's JSON (shaded Jackson annotations, equals/hashCode over every
 *       parameter).</li>
 * </ul>
 *
 * @since 0.1.0
 */
public interface LossFunction extends ILossFunction {

    /** @return the name this loss is registered under, e.g. {@code focal} */
    String registryName();

    /**
     * @return every parameter with its effective value, in schema order (Double, Integer,
     * Boolean or an unmodifiable List); optional parameters that are off are absent
     */
    Map<String, Object> parameters();

    /**
     * @return a spec string that {@link LossRegistry#create(String)} turns back into an equal
     * loss, e.g. {@code focal(gamma=2, alpha=0.25)}
     */
    default String spec() {
        return LossSpecs.format(registryName(), parameters());
    }
}
