package io.github.lossvariants.api;

import io.github.lossvariants.api.internal.SpecParser;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Formats losses as spec strings, the text form {@link LossRegistry#create(String)} reads:
 * <pre>
 *   spec   := term ('+' term)*
 *   term   := [weight '*'] name ['(' [param (',' param)*] ')']
 *   param  := identifier '=' value
 *   value  := number | number '/' number | true | false | word | '[' number (',' number)* ']'
 * </pre>
 * for example {@code focal(gamma=2, alpha=0.25)}, {@code lovasz(mode=binary)} or
 * {@code 0.7*focal-tversky(gamma=4/3) + 0.3*ce}. A word is the value of a choice parameter.
 *
 * @since 0.1.0
 */
public final class LossSpecs {
    private LossSpecs() {
    }

    /**
     * @param name       registry name
     * @param parameters parameter values by name; may be empty
     * @return {@code name} alone when there are no parameters, else {@code name(k=v, ...)}
     */
    public static String format(String name, Map<String, ?> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('(');
        boolean first = true;
        for (Map.Entry<String, ?> e : parameters.entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(e.getKey()).append('=').append(ParameterValues.formatPlain(e.getValue()));
        }
        return b.append(')').toString();
    }

    /** @return a weight as a spec string writes it: 1, 0.5, 0.7 */
    public static String formatWeight(double weight) {
        return ParameterValues.format(weight);
    }

    /**
     * The loss names a spec string uses, parsed with the grammar above (not checked against a
     * registry), e.g. {@code [ce, dice]} for {@code 0.000186*ce + dice(includeBackground=false)}.
     *
     * @param spec a spec string; not null
     * @return the names in written order, duplicates kept
     * @throws LossConfigurationException pointing at the position of a syntax error
     * @since 0.2.0
     */
    public static List<String> lossNames(String spec) {
        List<String> names = new ArrayList<>();
        for (SpecParser.Term t : SpecParser.parse(spec)) {
            names.add(t.name());
        }
        return List.copyOf(names);
    }
}
