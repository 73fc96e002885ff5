package io.warmpool.natives;

import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** This machine's kernel (6.18) has every feature warmpool probes for: each must be found. */
class KernelFeaturesTest {
    private final Syscalls os = Syscalls.linux();

    @Test
    void userfaultfdWriteProtectAsyncIsFoundOnThisKernel() {
        KernelFeatures.Feature feature = KernelFeatures.userfaultfdWriteProtectAsync(os);
        assertTrue(feature.present(), feature.detail());
    }

    @Test
    void processMadviseDontneedIsFoundOnThisKernel() {
        KernelFeatures.Feature feature = KernelFeatures.processMadviseDontneed(os);
        assertTrue(feature.present(), feature.detail());
    }

    @Test
    void refusedFeaturesSayWhichKernelTheyNeed() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(os);
        faults.failAlways(Call.UFFDIO_API, Errno.EINVAL).failAlways(Call.PROCESS_MADVISE, Errno.EINVAL);
        KernelFeatures.Feature uffd = KernelFeatures.userfaultfdWriteProtectAsync(faults);
        assertFalse(uffd.present());
        assertTrue(uffd.detail().contains("6.7") && uffd.detail().contains("EINVAL"), uffd.detail());
        KernelFeatures.Feature madvise = KernelFeatures.processMadviseDontneed(faults);
        assertFalse(madvise.present());
        assertTrue(madvise.detail().contains("6.13") && madvise.detail().contains("EINVAL"), madvise.detail());
    }

    @Test
    void missingSyscallsAreReportedAsAbsentNotThrown() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(os);
        faults.failAlways(Call.USERFAULTFD, Errno.ENOSYS).failAlways(Call.PIDFD_OPEN, Errno.ENOSYS);
        KernelFeatures.Feature uffd = KernelFeatures.userfaultfdWriteProtectAsync(faults);
        assertFalse(uffd.present());
        assertTrue(uffd.detail().contains("no userfaultfd") && uffd.detail().contains("ENOSYS"), uffd.detail());
        assertFalse(KernelFeatures.processMadviseDontneed(faults).present());
    }

    @Test
    void aSeccompProfileThatRefusesUserfaultfdMakesItAbsentWithTheReason() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(os);
        faults.failAlways(Call.USERFAULTFD, Errno.EPERM);
        KernelFeatures.Feature uffd = KernelFeatures.userfaultfdWriteProtectAsync(faults);
        assertFalse(uffd.present());
        assertTrue(uffd.detail().contains("seccomp") && uffd.detail().contains("EPERM"), uffd.detail());
    }

    @Test
    void kernelReleaseAndHugePageModeAreRead() {
        assertTrue(KernelFeatures.kernelRelease().matches("\\d+\\.\\d+.*"), KernelFeatures.kernelRelease());
        assertTrue(Set.of("always", "madvise", "never", "unavailable").contains(KernelFeatures.transparentHugePages()));
    }
}
