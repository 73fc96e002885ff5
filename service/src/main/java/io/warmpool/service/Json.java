package io.warmpool.service;

import java.util.Locale;

/**
 * A small JSON writer for the command's output: objects, arrays, strings (escaped per RFC 8259),
 * numbers and booleans, in the order written.
 */
public final class Json {
    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    /** Opens an object; {@code name} null for the top level or an array element. */
    public Json begin(String name) {
        key(name);
        out.append('{');
        needComma = false;
        return this;
    }

    public Json end() {
        out.append('}');
        needComma = true;
        return this;
    }

    public Json beginArray(String name) {
        key(name);
        out.append('[');
        needComma = false;
        return this;
    }

    public Json endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    public Json field(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        needComma = true;
        return this;
    }

    public Json field(String name, long value) {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    public Json field(String name, double value) {
        key(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            out.append(String.format(Locale.ROOT, "%.3f", value));
        }
        needComma = true;
        return this;
    }

    public Json field(String name, boolean value) {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    /** Writes a string element of an array. */
    public Json value(String value) {
        return field(null, value);
    }

    private void key(String name) {
        if (needComma) {
            out.append(',');
        }
        if (name != null) {
            quote(name);
            out.append(':');
        }
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
