package io.tokenservice.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording of the server taken while a known number of calls ran, and prints what the server
 * allocated per call and who allocated it:
 * <ul>
 *   <li>bytes per call: the growth of every thread's allocation counter ({@code jdk.ThreadAllocationStatistics},
 *       exact, emitted at the start and the end of the recording) divided by the calls; a thread seen only at
 *       the end started during the recording (Netty starts an event-loop thread for a new connection), so all
 *       of its counter counts ({@link #grewDuringRecording});</li>
 *   <li>the biggest allocators: {@code jdk.ObjectAllocationSample} weights (an estimate of the bytes each
 *       sample stands for) summed by the first frame in {@code io.tokenservice} and by the allocating frame;</li>
 *   <li>when the recording has {@code jdk.JavaExceptionThrow} enabled (not in the JDK's profile settings), the
 *       exceptions constructed per call and where: the thrown class and the first frames past its constructors.</li>
 * </ul>
 * Usage: {@code java -cp benchmarks.jar io.tokenservice.benchmarks.load.AllocationProfile RECORDING.jfr CALLS [TOP]}
 */
public final class AllocationProfile {
    private static final int THROW_SITE_FRAMES = 6;

    private AllocationProfile() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: AllocationProfile RECORDING.jfr CALLS [TOP]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long calls = Long.parseLong(args[1]);
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Map<Long, List<long[]>> perThread = new HashMap<>(); // thread id -> {time, allocated} samples
        Map<Long, String> threadNames = new HashMap<>();
        Map<String, Long> byOwnFrame = new HashMap<>();
        Map<String, Long> byAllocatingFrame = new HashMap<>();
        Map<String, Long> byArea = new HashMap<>();
        Map<String, Long> thrownAt = new HashMap<>();
        long thrown = 0;
        long sampled = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            switch (e.getEventType().getName()) {
                case "jdk.ThreadAllocationStatistics" -> {
                    RecordedThread t = e.getThread("thread");
                    if (t == null) {
                        continue;
                    }
                    threadNames.put(t.getJavaThreadId(), t.getJavaName());
                    perThread.computeIfAbsent(t.getJavaThreadId(), id -> new ArrayList<>()).add(
                            new long[] {e.getStartTime().toEpochMilli(), e.getLong("allocated")});
                }
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    sampled += weight;
                    RecordedStackTrace stack = e.getStackTrace();
                    String type = e.getClass("objectClass").getName();
                    byAllocatingFrame.merge(type + " <- " + frame(stack, false), weight, Long::sum);
                    byOwnFrame.merge(frame(stack, true), weight, Long::sum);
                    byArea.merge(area(stack), weight, Long::sum);
                }
                case "jdk.JavaExceptionThrow" -> {
                    thrown++;
                    thrownAt.merge(e.getClass("thrownClass").getName() + " <- " + throwSite(e.getStackTrace()), 1L,
                            Long::sum);
                }
                default -> { }
            }
        }
        long firstMillis = Long.MAX_VALUE;
        long lastMillis = Long.MIN_VALUE;
        for (List<long[]> samples : perThread.values()) {
            for (long[] sample : samples) {
                firstMillis = Math.min(firstMillis, sample[0]);
                lastMillis = Math.max(lastMillis, sample[0]);
            }
        }
        long total = 0;
        Map<String, Long> byThreadGroup = new HashMap<>();
        for (Map.Entry<Long, List<long[]>> t : perThread.entrySet()) {
            long grew = grewDuringRecording(t.getValue(), firstMillis, lastMillis);
            total += grew;
            byThreadGroup.merge(threadNames.get(t.getKey()).replaceAll("[-#]?\\d+", "-N"), grew, Long::sum);
        }
        System.out.printf(Locale.ROOT, "allocated by the server: %,d bytes for %,d calls = %,.0f bytes per call%n",
                total, calls, calls == 0 ? 0.0 : (double) total / calls);
        print("by thread (name with numbers folded)", byThreadGroup, total, calls, top);
        print("sampled by area (package of the first io.tokenservice frame, else of the allocating library)",
                byArea, sampled, calls, top);
        print("sampled by first io.tokenservice frame", byOwnFrame, sampled, calls, top);
        print("sampled by allocated type <- allocating frame", byAllocatingFrame, sampled, calls, top);
        if (thrown > 0) {
            System.out.printf(Locale.ROOT, "exceptions constructed: %,d = %.3f per call%n", thrown,
                    calls == 0 ? 0.0 : (double) thrown / calls);
            List<Map.Entry<String, Long>> sites = new ArrayList<>(thrownAt.entrySet());
            sites.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            for (Map.Entry<String, Long> e : sites.subList(0, Math.min(top, sites.size()))) {
                System.out.printf(Locale.ROOT, "  %8.4f per call  %s%n", (double) e.getValue() / calls, e.getKey());
            }
        }
    }

    /** The first {@value #THROW_SITE_FRAMES} frames past the exception's constructors. */
    private static String throwSite(RecordedStackTrace stack) {
        if (stack == null) {
            return "(no stack)";
        }
        List<String> frames = new ArrayList<>();
        for (RecordedFrame f : stack.getFrames()) {
            if (frames.isEmpty() && f.getMethod().getName().equals("<init>")) {
                continue;
            }
            frames.add(name(f));
            if (frames.size() == THROW_SITE_FRAMES) {
                break;
            }
        }
        return String.join(" <- ", frames);
    }

    /**
     * What one thread allocated between the recording's first and last {@code jdk.ThreadAllocationStatistics}
     * batch ({@code firstMillis}, {@code lastMillis}), from its samples ({time millis, allocated bytes}): the
     * growth of its counter; for a thread that first appears in the second half of the recording (it started
     * during it), the whole counter, since it allocated nothing before it existed.
     */
    static long grewDuringRecording(List<long[]> samples, long firstMillis, long lastMillis) {
        long earliestTime = Long.MAX_VALUE;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long[] sample : samples) {
            earliestTime = Math.min(earliestTime, sample[0]);
            min = Math.min(min, sample[1]);
            max = Math.max(max, sample[1]);
        }
        boolean startedDuring = earliestTime - firstMillis > (lastMillis - firstMillis) / 2;
        return startedDuring ? max : max - min;
    }

    private static String frame(RecordedStackTrace stack, boolean ownCode) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "(no stack)";
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (ownCode) {
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.tokenservice")) {
                    return name(f);
                }
            }
            return "(outside io.tokenservice) " + name(frames.get(0));
        }
        return name(frames.get(0));
    }

    private static String area(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "(no stack)";
        }
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.tokenservice.")) {
                return type.substring(0, type.lastIndexOf('.'));
            }
        }
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.contains(".netty.")) {
                return "(netty)";
            }
            if (type.startsWith("io.grpc.")) {
                String rest = type.substring("io.grpc.".length());
                return "(grpc " + (rest.indexOf('.') < 0 ? "api" : rest.substring(0, rest.indexOf('.'))) + ")";
            }
            if (type.startsWith("com.google.protobuf.")) {
                return "(protobuf)";
            }
        }
        return "(" + name(stack.getFrames().get(0)) + ")";
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }

    private static void print(String title, Map<String, Long> weights, long total, long calls, int top) {
        System.out.println(title + " (share, estimated bytes per call):");
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(weights.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            System.out.printf(Locale.ROOT, "  %5.1f%% %8.0f  %s%n", 100.0 * e.getValue() / Math.max(1, total),
                    calls == 0 ? 0.0 : (double) e.getValue() / calls, e.getKey());
        }
    }
}
