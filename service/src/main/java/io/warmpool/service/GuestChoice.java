package io.warmpool.service;

import io.warmpool.guests.Guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The guest serve (or bench) runs: a bundled one by name ({@code request-handler}, {@code
 * scattered-pages}, {@code lookup-table}) or a {@code .wasm} file, with the export to call, its
 * arguments and the check of its result.
 *
 * <pre>
 *  --module request-handler      the bundled guest; export and arguments its defaults (handle; n)
 *  --module lookup-table         run; n,1024, and every result must be 0 (no foreign entries)
 *  --module ./app.wasm --export f   the file; arguments n for each parameter unless wasm.args says
 * </pre>
 *
 * A text that names a file that exists, ends in {@code .wasm} or holds a {@code /} is a file; other
 * texts must name a bundled guest.
 *
 * @param name      the module's name: the bundled guest's, or the file name without {@code .wasm}
 * @param bytes     the module's binary
 * @param export    the export to call
 * @param arguments the arguments to pass, empty when the host should give {@code n} to each parameter
 * @param check     what each call's first result must satisfy
 * @param bundled   the bundled guest, when it is one
 */
record GuestChoice(String name, byte[] bytes, String export, Optional<GuestArguments> arguments,
                   WasmWorkload.ResultCheck check, Optional<Guest> bundled) {

    /** The default arguments of each bundled guest's default export. */
    static String defaultArguments(Guest guest) {
        return switch (guest) {
            case REQUEST_HANDLER -> "n";
            case SCATTERED_PAGES -> "n,64";
            case LOOKUP_TABLE -> "n,1024";
        };
    }

    /** What a bundled guest's default export must return: the check that would catch a leak. */
    static WasmWorkload.ResultCheck defaultCheck(Guest guest) {
        return switch (guest) {
            case REQUEST_HANDLER -> new WasmWorkload.ResultCheck("a response of at least one byte, above the"
                    + " guest's heap start", r -> (int) r > 0 && (r >>> 32) >= 256);
            case SCATTERED_PAGES, LOOKUP_TABLE -> new WasmWorkload.ResultCheck("the guest found that many"
                    + " words another tenant wrote in its fresh instance: tenant isolation is broken", r -> r == 0);
        };
    }

    /**
     * The guest {@code module} names, calling {@code export} (empty: the bundled guest's; a file needs
     * one) with {@code arguments} (empty: the default).
     *
     * @throws IllegalArgumentException saying what is wrong with the module or export
     */
    static GuestChoice of(String module, String export, String arguments) {
        Optional<GuestArguments> args = arguments.isBlank() ? Optional.empty() : Optional.of(GuestArguments.parse(arguments));
        Path file = Path.of(module);
        boolean isFile = Files.exists(file) || module.endsWith(".wasm") || module.contains("/");
        if (!isFile) {
            Guest guest = Guest.named(module);
            boolean ownExport = export.isBlank() || export.equals(guest.export());
            return new GuestChoice(guest.guestName(), guest.bytes(), ownExport ? guest.export() : export,
                    args.isPresent() || !ownExport ? args : Optional.of(GuestArguments.parse(defaultArguments(guest))),
                    ownExport ? defaultCheck(guest) : WasmWorkload.ResultCheck.NONE, Optional.of(guest));
        }
        if (export.isBlank()) {
            throw new IllegalArgumentException("a module file needs the export to call (--export NAME)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the module " + file + ": " + e);
        }
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".wasm") ? fileName.substring(0, fileName.length() - 5) : fileName;
        return new GuestChoice(name.isEmpty() ? fileName : name, bytes, export, args, WasmWorkload.ResultCheck.NONE,
                Optional.empty());
    }
}
