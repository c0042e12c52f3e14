package dev.toolgate.config.internal;

import java.util.function.Function;

/**
 * What a scalar must be.
 *
 * @param noun what was expected, for type errors and missing values ({@code a duration})
 * @param parser turns the interpolated text into the value; its IllegalArgumentException message is shown as is
 */
record ValueType<T>(String noun, Function<String, T> parser) {

    public T parse(String text) {
        return parser.apply(text);
    }
}
