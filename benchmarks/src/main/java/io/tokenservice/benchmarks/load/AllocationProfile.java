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
 *       exact, emitted at the start and the end of the recording) divided by the calls;</li>
 *   <li>the biggest allocators: {@code jdk.ObjectAllocationSample} weights (an estimate of the bytes each
 *       sample stands for) summed by the first frame in {@code io.tokenservice} and by the allocating frame.</li>
 * </ul>
 * Usage: {@code java -cp benchmarks.jar io.tokenservice.benchmarks.load.AllocationProfile RECORDING.jfr CALLS [TOP]}
 */
public final class AllocationProfile {
    private AllocationProfile() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: AllocationProfile RECORDING.jfr CALLS [TOP]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long calls = Long.parseLong(args[1]);
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Map<Long, long[]> perThread = new HashMap<>(); // thread id -> {first, last}
        Map<Long, String> threadNames = new HashMap<>();
        Map<String, Long> byOwnFrame = new HashMap<>();
        Map<String, Long> byAllocatingFrame = new HashMap<>();
        Map<String, Long> byArea = new HashMap<>();
        long sampled = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            switch (e.getEventType().getName()) {
                case "jdk.ThreadAllocationStatistics" -> {
                    RecordedThread t = e.getThread("thread");
                    if (t == null) {
                        continue;
                    }
                    long allocated = e.getLong("allocated");
                    threadNames.put(t.getJavaThreadId(), t.getJavaName());
                    perThread.merge(t.getJavaThreadId(), new long[] {allocated, allocated},
                            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
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
                default -> { }
            }
        }
        long total = 0;
        Map<String, Long> byThreadGroup = new HashMap<>();
        for (Map.Entry<Long, long[]> t : perThread.entrySet()) {
            long grew = t.getValue()[1] - t.getValue()[0];
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
