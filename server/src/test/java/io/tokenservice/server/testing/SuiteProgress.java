package io.tokenservice.server.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Records which test classes the running test plan holds and which have finished, so that the suite's
 * last test can verify that it really runs last ({@code META-INF/services/...TestExecutionListener}).
 */
public final class SuiteProgress implements TestExecutionListener {
    private static final Set<String> PLANNED = ConcurrentHashMap.newKeySet();
    private static final Set<String> FINISHED = ConcurrentHashMap.newKeySet();

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        for (TestIdentifier root : plan.getRoots()) {
            plan.getDescendants(root).forEach(id -> className(id).ifPresent(PLANNED::add));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        className(id).ifPresent(FINISHED::add);
    }

    private static java.util.Optional<String> className(TestIdentifier id) {
        return id.getSource().filter(ClassSource.class::isInstance).map(s -> ((ClassSource) s).getClassName());
    }

    /** Test classes of the plan (top-level and nested). */
    public static Set<String> planned() {
        return Set.copyOf(PLANNED);
    }

    public static Set<String> finished() {
        return Set.copyOf(FINISHED);
    }
}
