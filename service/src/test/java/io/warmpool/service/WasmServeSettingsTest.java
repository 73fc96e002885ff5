package io.warmpool.service;

import io.warmpool.guests.Guest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve's wasm keys: workload, module, export, args, and what they choose. */
class WasmServeSettingsTest {
    private static Configuration flags(String... pairs) {
        Map<String, String> flags = new java.util.HashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            flags.put(pairs[i], pairs[i + 1]);
        }
        return Configuration.load("serve", ServeSettings.KEYS, null, Map.of(), flags);
    }

    @Test
    void withNoFlagsServeRunsTheBundledRequestHandler() {
        GuestChoice guest = ServeSettings.guest(flags()).orElseThrow();
        assertEquals("request-handler", guest.name());
        assertEquals("handle", guest.export());
        assertEquals(Guest.REQUEST_HANDLER, guest.bundled().orElseThrow());
        assertArrayEquals(new long[] {41}, guest.arguments().orElseThrow().of(41));
        assertArrayEquals(Guest.REQUEST_HANDLER.bytes(), guest.bytes());
    }

    @Test
    void theSyntheticWorkloadHasNoGuestAndRefusesTheGuestsKeys() {
        assertTrue(ServeSettings.guest(flags("workload", "synthetic")).isEmpty());
        assertEquals("serve: module = 'lookup-table' (flag --module): applies to the wasm workload, and workload is synthetic",
                assertThrows(UsageException.class, () -> ServeSettings.guest(flags("workload", "synthetic", "module",
                        "lookup-table"))).getMessage());
        assertEquals("serve: workload = 'wasi' (flag --workload): expected wasm or synthetic",
                assertThrows(UsageException.class, () -> ServeSettings.guest(flags("workload", "wasi"))).getMessage());
    }

    @Test
    void aBundledGuestBringsItsExportArgumentsAndResultCheck() {
        GuestChoice lookup = ServeSettings.guest(flags("module", "lookup-table")).orElseThrow();
        assertEquals("run", lookup.export());
        assertArrayEquals(new long[] {7, 1024}, lookup.arguments().orElseThrow().of(7));
        assertTrue(lookup.check().ok().test(0));
        assertFalse(lookup.check().ok().test(3), "a foreign entry found is a broken isolation");
        GuestChoice sum = ServeSettings.guest(flags("module", "lookup-table", "export", "sum", "args", "n, 9")).orElseThrow();
        assertEquals("sum", sum.export());
        assertArrayEquals(new long[] {5, 9}, sum.arguments().orElseThrow().of(5));
        assertTrue(sum.check().ok().test(12345), "another export's result is not checked");
        GuestChoice handler = ServeSettings.guest(flags()).orElseThrow();
        assertTrue(handler.check().ok().test((4096L << 32) | 200));
        assertFalse(handler.check().ok().test(0), "an empty response");
    }

    @Test
    void aModuleFileNeedsAnExportAndIsNamedForItsFile(@TempDir Path dir) throws IOException {
        Path file = Guest.SCATTERED_PAGES.writeTo(dir);
        assertEquals("serve: export = '' (default): a module file needs the export to call (--export NAME)",
                assertThrows(UsageException.class, () -> ServeSettings.guest(flags("module", file.toString()))).getMessage());
        GuestChoice guest = ServeSettings.guest(flags("module", file.toString(), "export", "dirty")).orElseThrow();
        assertEquals("scattered-pages", guest.name());
        assertTrue(guest.bundled().isEmpty());
        assertTrue(guest.arguments().isEmpty(), "n for every parameter, once the host says how many");
        assertTrue(Arrays.equals(Files.readAllBytes(file), guest.bytes()));
        assertTrue(assertThrows(UsageException.class, () -> ServeSettings.guest(flags("module", dir.resolve("none.wasm")
                .toString(), "export", "f"))).getMessage().contains("cannot read the module"));
    }

    @Test
    void aNameThatIsNeitherAFileNorABundledGuestIsRefusedNamingTheGuests() {
        assertEquals("serve: module = 'hello' (flag --module): no bundled guest named 'hello' (there are: request-handler,"
                + " scattered-pages, lookup-table)",
                assertThrows(UsageException.class, () -> ServeSettings.guest(flags("module", "hello"))).getMessage());
    }

    @Test
    void argumentsAreWholeNumbersOrTheRequestsNumber() {
        GuestArguments args = GuestArguments.parse(" n , -3,N,18446744");
        assertEquals(4, args.count());
        assertArrayEquals(new long[] {9, -3, 9, 18446744}, args.of(9));
        assertEquals("n,-3,n,18446744", args.toString());
        assertEquals(0, GuestArguments.parse("").count());
        assertArrayEquals(new long[] {2, 2}, GuestArguments.requestNumber(2).of(2));
        assertEquals("argument 2 'x' is neither n (the request's number) nor a whole number",
                assertThrows(IllegalArgumentException.class, () -> GuestArguments.parse("n,x")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> flags("args", "n,,1").get(ServeSettings.ARGS)).getMessage()
                .startsWith("serve: args = 'n,,1' (flag --args): argument 2 '' is neither"));
    }
}
