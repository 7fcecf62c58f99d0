package io.github.lossvariants.api;

/**
 * The value types a loss parameter can have.
 *
 * @since 0.1.0
 */
public enum ParameterType {
    /** A real number; spec strings accept decimals, exponents and fractions such as {@code 4/3}. */
    DOUBLE("a number"),
    /** A whole number. */
    INT("a whole number"),
    /** {@code true} or {@code false}. */
    BOOLEAN("true or false"),
    /** A list of numbers, written {@code [0.1, 1, 2]} in spec strings. */
    DOUBLE_ARRAY("a list of numbers such as [1, 2.5]"),
    /** A list of whole numbers, written {@code [1, 2]} in spec strings. */
    INT_ARRAY("a list of whole numbers such as [1, 2]"),
    /**
     * One of a fixed set of words, e.g. {@code mode=binary}; spec strings write the word bare.
     *
     * @since 0.2.0
     */
    CHOICE("one of");

    private final String description;

    ParameterType(String description) {
        this.description = description;
    }

    /** @return how a value of this type is described to users, e.g. "a number" */
    public String description() {
        return description;
    }
}
