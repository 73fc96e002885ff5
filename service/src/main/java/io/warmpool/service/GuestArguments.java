package io.warmpool.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The arguments serve passes to a guest's export on each request, from a text such as {@code n,64}:
 * each item a whole number (a constant) or {@code n}, the request's number (0, 1, 2, ... per
 * process). The host converts each to the parameter's type (i32 takes the low 32 bits).
 */
final class GuestArguments {
    private final String text;
    private final long[] constants;
    private final boolean[] requestNumber;

    private GuestArguments(String text, long[] constants, boolean[] requestNumber) {
        this.text = text;
        this.constants = constants;
        this.requestNumber = requestNumber;
    }

    /**
     * Reads {@code text}: items separated by commas, each {@code n} or a whole number; the empty text
     * is no arguments.
     *
     * @throws IllegalArgumentException naming the item that is neither
     */
    static GuestArguments parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return new GuestArguments("", new long[0], new boolean[0]);
        }
        String[] items = t.split(",", -1);
        long[] constants = new long[items.length];
        boolean[] n = new boolean[items.length];
        List<String> normal = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            String item = items[i].strip().toLowerCase(Locale.ROOT);
            if (item.equals("n")) {
                n[i] = true;
            } else {
                try {
                    constants[i] = Long.parseLong(item);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("argument " + (i + 1) + " '" + items[i].strip()
                            + "' is neither n (the request's number) nor a whole number");
                }
            }
            normal.add(item);
        }
        return new GuestArguments(String.join(",", normal), constants, n);
    }

    /** {@code count} arguments, each the request's number. */
    static GuestArguments requestNumber(int count) {
        return parse(String.join(",", java.util.Collections.nCopies(count, "n")));
    }

    /** How many arguments. */
    int count() {
        return constants.length;
    }

    /** The arguments of request number {@code request}, a new array. */
    long[] of(long request) {
        long[] out = constants.clone();
        for (int i = 0; i < out.length; i++) {
            if (requestNumber[i]) {
                out[i] = request;
            }
        }
        return out;
    }

    /** The text this was read from, normalized: {@code n,64}. */
    @Override
    public String toString() {
        return text;
    }
}
