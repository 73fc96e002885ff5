package io.warmpool.natives;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process whose JNI library cannot load: run only by the surefire execution {@code jna-fallback},
 * in a JVM of its own started with {@code -Dwarmpool.jni.library} naming a file that does not exist
 * (the same execution runs {@link LinuxSyscallsTest} and the other call tests on JNA). The hot calls
 * fall back to JNA, the reason is there to count, the warning is logged once, and nothing fails.
 */
class JnaFallbackTest {
    private static final Logger LOGGER = Logger.getLogger(HotCalls.class.getName());
    private static final List<LogRecord> RECORDS = new ArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public synchronized void publish(LogRecord record) {
            RECORDS.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void listenBeforeTheBindingIsChosen() {
        LOGGER.addHandler(CAPTURE);
    }

    @AfterAll
    static void stopListening() {
        LOGGER.removeHandler(CAPTURE);
    }

    @Test
    void aMissingLibraryFallsBackToJnaLogsOnceAndEveryCallStillWorks() {
        String library = System.getProperty(HotCalls.LIBRARY_PROPERTY);
        assertTrue(library != null && library.endsWith("no-such-libwarmpoolcalls.so"),
                "this test runs in the jna-fallback execution only, not with " + library);
        Syscalls os = Syscalls.linux();
        long page = os.pageSize();
        long base = os.mmap(0, 2 * page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            assertEquals("jna", HotCalls.binding());
            String reason = HotCalls.fallbackReason().orElseThrow();
            assertTrue(reason.contains(library), reason);
            NativeMemory.fill(base, 2 * page, (byte) 7);
            NativeMemory.zero(base, page);
            assertEquals(-1, NativeMemory.firstNonZero(base, page));
            os.madvise(base + page, page, Mman.MADV_DONTNEED);
            assertEquals(-1, NativeMemory.firstNonZero(base, 2 * page));
            NativeCallException e = assertThrows(NativeCallException.class,
                    () -> os.madvise(base + 1, page, Mman.MADV_DONTNEED));
            assertTrue(e.is(Errno.EINVAL), e.getMessage());
            os.mprotect(base, page, Mman.PROT_READ);
        } finally {
            os.munmap(base, 2 * page);
        }
        synchronized (CAPTURE) {
            assertEquals(1, RECORDS.size(), "logged once: " + RECORDS);
            LogRecord record = RECORDS.get(0);
            assertEquals(Level.WARNING, record.getLevel());
            assertTrue(record.getMessage().contains("JNA") && record.getMessage().contains(library), record.getMessage());
        }
    }
}
