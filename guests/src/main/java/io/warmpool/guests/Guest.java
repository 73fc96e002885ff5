package io.warmpool.guests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A bundled guest: its module's binary (a resource assembled from {@code src/main/wat/NAME.wat}), the
 * export that serve and bench call, and the arguments it takes. Each export takes two i32 (or one) and
 * returns a value the caller can check; the sources say what each computes.
 */
public enum Guest {
    /**
     * {@code handle(id) -> i64}: a request handler that bump-allocates a request, values, a JSON body
     * and an HTTP response in its memory and returns the response's {@code address << 32 | length}.
     * One wasm page at start, up to 16; a small data segment (texts).
     */
    REQUEST_HANDLER("request-handler", "handle", 1),
    /**
     * {@code dirty(seed, pages) -> i32}: writes one word in each of {@code pages} pseudo-random 4 KiB
     * pages of its 4 MiB heap (after growing it by 0 to 3 wasm pages) and returns how many words held
     * bytes of another tenant (0 in a fresh instance). No data segment.
     */
    SCATTERED_PAGES("scattered-pages", "dirty", 2),
    /**
     * {@code run(seed, lookups) -> i32}: reads {@code lookups} entries of a 4 MiB lookup table (one
     * active data segment), writes every 8th, and returns how many held another tenant's value (0 in a
     * fresh instance). {@code sum(seed, lookups)} reads the same entries only and returns their sum.
     */
    LOOKUP_TABLE("lookup-table", "run", 2);

    private final String fileName;
    private final String export;
    private final int parameters;

    Guest(String fileName, String export, int parameters) {
        this.fileName = fileName;
        this.export = export;
        this.parameters = parameters;
    }

    /** The name serve and bench accept and print: {@code request-handler}, {@code lookup-table}. */
    public String guestName() {
        return fileName;
    }

    /** The export that serve and bench call by default. */
    public String export() {
        return export;
    }

    /** How many i32 parameters {@link #export()} takes. */
    public int parameters() {
        return parameters;
    }

    /** The resource that holds the module's binary, relative to this class. */
    public String resource() {
        return fileName + ".wasm";
    }

    /**
     * The module's binary, as wat2wasm assembled it.
     *
     * @throws IllegalStateException when the jar lacks it (built without the guests' assembly step)
     */
    public byte[] bytes() {
        try (InputStream in = Guest.class.getResourceAsStream(resource())) {
            if (in == null) {
                throw new IllegalStateException("the guest " + fileName + " is not in this build: no resource "
                        + Guest.class.getPackageName().replace('.', '/') + "/" + resource()
                        + " (the guests module assembles it from src/main/wat/" + fileName + ".wat with wat2wasm)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guest " + fileName, e);
        }
    }

    /** Writes the module's binary to {@code dir/NAME.wasm} and returns that path. */
    public Path writeTo(Path dir) throws IOException {
        return Files.write(dir.resolve(resource()), bytes());
    }

    /**
     * The guest of that name ({@link #guestName()}, or the enum constant's name in any case).
     *
     * @throws IllegalArgumentException naming the guests there are
     */
    public static Guest named(String name) {
        for (Guest guest : values()) {
            if (guest.fileName.equals(name) || guest.name().equals(name.toUpperCase(Locale.ROOT).replace('-', '_'))) {
                return guest;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Guest guest : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(guest.fileName);
        }
        throw new IllegalArgumentException("no bundled guest named '" + name + "' (there are: " + known + ")");
    }
}
