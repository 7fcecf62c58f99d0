package io.github.lossvariants.api;

/**
 * Thrown when a loss cannot be built or used as asked: an unknown name or parameter, a value
 * of the wrong type or out of range, a malformed spec string, two providers claiming one name,
 * or inputs whose shapes do not fit. The message always names what is wrong, the offending
 * value and what is allowed.
 *
 * @since 0.1.0
 */
public final class LossConfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, the value, and what is allowed; never null */
    public LossConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, the value, and what is allowed; never null
     * @param cause   the underlying failure; may be null
     */
    public LossConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
