package io.warmpool.wasm.wast;

import java.nio.file.Path;
import java.util.List;

/**
 * What one script did.
 *
 * @param file     the {@code .wast} script
 * @param passed   commands that did what the script expects (modules that instantiated, assertions that held)
 * @param failed   commands that did not
 * @param skipped  {@code assert_malformed} of text-format modules: only a text parser can check them,
 *                 and Chicory reads binaries
 * @param imageModules how many modules were instantiated on a slot that mapped their memory image
 * @param outcomes one line per command, in order: {@code "LINE pass"}, {@code "LINE skip"} or
 *                 {@code "LINE fail: WHAT"} (what was expected against what came)
 */
public record WastResult(Path file, int passed, int failed, int skipped, int imageModules, List<String> outcomes) {
    public WastResult {
        outcomes = List.copyOf(outcomes);
    }

    /** The failures: {@code "FILE:LINE: WHAT"}. */
    public List<String> failures() {
        return outcomes.stream().filter(o -> o.contains(" fail: ")).map(o -> file.getFileName() + ":" + o.replaceFirst(" fail: ", ": "))
                .toList();
    }

    /** The one-line summary: {@code "FILE: N passed, N failed[, N skipped]"}. */
    public String summary() {
        return file.getFileName() + ": " + passed + " passed, " + failed + " failed"
                + (skipped > 0 ? ", " + skipped + " skipped (malformed text: needs a text parser)" : "");
    }
}
