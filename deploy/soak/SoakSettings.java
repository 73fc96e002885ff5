import com.sun.tools.attach.VirtualMachine;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The soak's operator: changes the running settings of a {@code warmpool serve} over JMX, as an
 * operator with jconsole would, until that process exits.
 *
 * <pre>
 *  java deploy/soak/SoakSettings.java PID INTERVAL_MS SEED
 *    attach to PID (same user), start its local JMX agent, connect once
 *    every INTERVAL_MS: set one attribute of io.warmpool:type=WarmPool,name=serve to a value drawn
 *                       from the lists below, read it back, print "time attribute=value"
 *    PID gone: exit 0 (1 if any change was refused or read back different)
 * </pre>
 *
 * Every value is valid for the soak's pool (memory-max 16MiB, table 80000 bytes, stack 512KiB), so a
 * refusal is a bug. Run by {@code deploy/soak/soak.sh}; a single-file program (JDK 11+ runs the
 * source), so the soak needs nothing built beyond the warmpool jar.
 */
public class SoakSettings {
    private static final List<Long> MEMORY_KEEP = List.of(0L, 64L << 10, 1L << 20, 4L << 20);
    private static final List<Long> TABLE_KEEP = List.of(0L, 4096L, 64L << 10);
    private static final List<Long> STACK_KEEP = List.of(0L, 4096L, 64L << 10);
    private static final List<Integer> WARM_BOUND = List.of(0, 2, 8, 32);
    private static final List<String> STRATEGIES = List.of("madvise-all", "memset-keep-resident", "pagemap-guided", "auto");

    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        long intervalMillis = Long.parseLong(args[1]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        int refused = 0;
        long changes = 0;
        ObjectName pool = new ObjectName("io.warmpool:type=WarmPool,name=serve");
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(intervalMillis);
                Attribute change = switch (random.nextInt(5)) {
                    case 0 -> new Attribute("MemoryKeepResident", pick(MEMORY_KEEP, random));
                    case 1 -> new Attribute("TableKeepResident", pick(TABLE_KEEP, random));
                    case 2 -> new Attribute("StackKeepResident", pick(STACK_KEEP, random));
                    case 3 -> new Attribute("MaxUnusedWarmSlots", pick(WARM_BOUND, random));
                    default -> new Attribute("ResetStrategy", pick(STRATEGIES, random));
                };
                try {
                    server.setAttribute(pool, change);
                    Object now = server.getAttribute(pool, change.getName());
                    changes++;
                    if (!now.equals(change.getValue())) {
                        refused++;
                        System.out.println(Instant.now() + " " + change.getName() + " set to " + change.getValue()
                                + " but reads " + now);
                    } else {
                        System.out.println(Instant.now() + " " + change.getName() + "=" + now);
                    }
                } catch (Exception e) {
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        break; // serve ended between the check and the change
                    }
                    refused++;
                    System.out.println(Instant.now() + " " + change.getName() + "=" + change.getValue() + " refused: " + e);
                }
            }
        } catch (java.io.IOException e) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw e;
            }
        }
        System.out.println(Instant.now() + " " + changes + " changes, " + refused + " refused or not applied");
        System.exit(refused == 0 ? 0 : 1);
    }

    private static <T> T pick(List<T> values, SplittableRandom random) {
        return values.get(random.nextInt(values.size()));
    }
}
