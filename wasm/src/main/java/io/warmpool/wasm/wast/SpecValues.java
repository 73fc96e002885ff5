package io.warmpool.wasm.wast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The spec scripts' values, as wast2json writes them ({@code {"type": "i32", "value": "4294967295"}}:
 * integers as unsigned decimals, floats as the unsigned decimal of their bits, or the NaN patterns
 * {@code nan:canonical} and {@code nan:arithmetic} in expected results), and how results compare.
 */
final class SpecValues {
    private static final int F32_CANONICAL = 0x7fc0_0000;
    private static final int F32_QUIET = 0x0040_0000;
    private static final long F64_CANONICAL = 0x7ff8_0000_0000_0000L;
    private static final long F64_QUIET = 0x0008_0000_0000_0000L;

    private SpecValues() {
    }

    /** The arguments as Chicory takes them: i32 and f32 in the low 32 bits, i64 and f64 whole. */
    @SuppressWarnings("unchecked")
    static long[] arguments(List<Object> args) {
        if (args == null) {
            return new long[0];
        }
        long[] out = new long[args.size()];
        for (int i = 0; i < out.length; i++) {
            Map<String, Object> v = (Map<String, Object>) args.get(i);
            out[i] = bits((String) v.get("type"), (String) v.get("value"));
        }
        return out;
    }

    private static long bits(String type, String value) {
        switch (type) {
            case "i32":
            case "f32":
                return (int) Long.parseLong(value);
            case "i64":
            case "f64":
                return Long.parseUnsignedLong(value);
            default:
                throw new IllegalArgumentException("values of type " + type + " are not supported by this runner");
        }
    }

    /**
     * Null when {@code results} are {@code expected}; otherwise "expected X, got Y". NaN patterns:
     * canonical is the one quiet NaN of either sign, arithmetic any NaN with the quiet bit set.
     */
    @SuppressWarnings("unchecked")
    static String compare(List<Object> expected, long[] results) {
        boolean same = expected.size() == results.length;
        for (int i = 0; same && i < results.length; i++) {
            Map<String, Object> v = (Map<String, Object>) expected.get(i);
            same = matches((String) v.get("type"), (String) v.get("value"), results[i]);
        }
        return same ? null : "expected " + describe(expected) + ", got " + describeResults(expected, results);
    }

    private static boolean matches(String type, String value, long result) {
        switch (type) {
            case "i32":
                return (int) result == (int) Long.parseLong(value);
            case "i64":
                return result == Long.parseUnsignedLong(value);
            case "f32": {
                int bits = (int) result;
                if (value.equals("nan:canonical")) {
                    return (bits & 0x7fff_ffff) == F32_CANONICAL;
                }
                if (value.equals("nan:arithmetic")) {
                    return Float.isNaN(Float.intBitsToFloat(bits)) && (bits & F32_QUIET) != 0;
                }
                return bits == (int) Long.parseLong(value);
            }
            case "f64": {
                if (value.equals("nan:canonical")) {
                    return (result & Long.MAX_VALUE) == F64_CANONICAL;
                }
                if (value.equals("nan:arithmetic")) {
                    return Double.isNaN(Double.longBitsToDouble(result)) && (result & F64_QUIET) != 0;
                }
                return result == Long.parseUnsignedLong(value);
            }
            default:
                throw new IllegalArgumentException("values of type " + type + " are not supported by this runner");
        }
    }

    /** {@code [i32:1, f32:nan:canonical]}. */
    @SuppressWarnings("unchecked")
    static String describe(List<Object> values) {
        List<String> out = new ArrayList<>();
        for (Object o : values) {
            Map<String, Object> v = (Map<String, Object>) o;
            out.add(v.get("type") + ":" + show((String) v.get("type"), (String) v.get("value")));
        }
        return out.toString();
    }

    private static String show(String type, String value) {
        if (value == null || value.startsWith("nan:")) {
            return String.valueOf(value);
        }
        switch (type) {
            case "i32":
                return Integer.toString((int) Long.parseLong(value));
            case "i64":
                return Long.toString(Long.parseUnsignedLong(value));
            case "f32":
                return Float.toString(Float.intBitsToFloat((int) Long.parseLong(value)))
                        + "(0x" + Integer.toHexString((int) Long.parseLong(value)) + ")";
            case "f64":
                return Double.toString(Double.longBitsToDouble(Long.parseUnsignedLong(value)))
                        + "(0x" + Long.toHexString(Long.parseUnsignedLong(value)) + ")";
            default:
                return value;
        }
    }

    /** The results, typed like {@code expected} where it says. */
    @SuppressWarnings("unchecked")
    static String describeResults(List<Object> expected, long[] results) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            String type = i < expected.size() ? (String) ((Map<String, Object>) expected.get(i)).get("type") : "i64";
            long r = results[i];
            String value = type.equals("i32") || type.equals("f32") ? Long.toString(r & 0xFFFF_FFFFL) : Long.toUnsignedString(r);
            out.add(type + ":" + show(type, value));
        }
        return out.toString();
    }

    /** Untyped results: {@code [0x1, 0x2]}. */
    static String describeResults(long[] results) {
        List<String> out = new ArrayList<>();
        for (long r : results) {
            out.add("0x" + Long.toHexString(r));
        }
        return "results " + out;
    }

    /** {@code (i32:1, i64:2)} for an action's arguments. */
    @SuppressWarnings("unchecked")
    static String describeArgs(Object args) {
        if (!(args instanceof List<?> list)) {
            return "()";
        }
        String inner = describe((List<Object>) list);
        return "(" + inner.substring(1, inner.length() - 1) + ")";
    }
}
